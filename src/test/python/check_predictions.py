#!/usr/bin/python3
"""Interop check: Confluent's own Python client reads our predictions topic through the registry.

Decodes every committed record of the predictions topic with confluent_kafka's MessageSerializer
(legacy Avro API; Debian packages python3-confluent-kafka and python3-avro) and checks the fields.
Usage: check_predictions.py --min N [--bootstrap 127.0.0.1:9092] [--registry URL] [--topic predictions]
"""
import argparse
import sys
import uuid

from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.avro import CachedSchemaRegistryClient
from confluent_kafka.avro.serializer.message_serializer import MessageSerializer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bootstrap", default="127.0.0.1:9092")
    ap.add_argument("--registry", default="http://127.0.0.1:8081/apis/ccompat/v7")
    ap.add_argument("--topic", default="predictions")
    ap.add_argument("--min", type=int, required=True, help="fail unless at least this many records decode")
    args = ap.parse_args()

    serializer = MessageSerializer(CachedSchemaRegistryClient({"url": args.registry}))
    consumer = Consumer({"bootstrap.servers": args.bootstrap, "group.id": "interop-" + uuid.uuid4().hex,
                         "auto.offset.reset": "earliest", "isolation.level": "read_committed",
                         "enable.auto.commit": False})
    metadata = consumer.list_topics(args.topic, timeout=10)
    partitions = metadata.topics[args.topic].partitions
    ends = {}
    for p in partitions:
        low, high = consumer.get_watermark_offsets(TopicPartition(args.topic, p), timeout=10)
        ends[p] = high
    consumer.assign([TopicPartition(args.topic, p, 0) for p in partitions])

    decoded, problems = 0, []
    remaining = {p for p, high in ends.items() if high > 0}
    idle = 0
    while remaining and idle < 20:
        msg = consumer.poll(1.0)
        if msg is None:
            idle += 1
            continue
        if msg.error():
            continue
        idle = 0
        if msg.offset() + 1 >= ends[msg.partition()]:
            remaining.discard(msg.partition())
        value = serializer.decode_message(msg.value())
        decoded += 1
        problems += check(value, msg.key().decode("utf-8") if msg.key() else None)
    consumer.close()

    print(f"decoded {decoded} prediction(s) from {args.topic} with Confluent's Python client; "
          f"{len(problems)} problem(s)")
    for p in problems[:20]:
        print("  " + p)
    if decoded < args.min or problems:
        print(f"FAILED (needed at least {args.min} clean records)")
        return 1
    print("1 passed, 0 failed")
    return 0


def check(v, key):
    out = []
    iid = v.get("imageId")
    if not isinstance(iid, str) or not iid:
        out.append(f"imageId missing: {v}")
    if key is not None and key != iid:
        out.append(f"{iid}: key {key} differs from imageId")
    model = v.get("model") or {}
    if not model.get("name") or not model.get("version") or len(model.get("digest", "")) != 64:
        out.append(f"{iid}: model identity incomplete: {model}")
    top = v.get("topK") or []
    probs = [c["probability"] for c in top]
    if not top or any(not (0.0 <= p <= 1.0 + 1e-6) for p in probs) or probs != sorted(probs, reverse=True):
        out.append(f"{iid}: topK not sorted probabilities in [0,1]: {top}")
    if any(not isinstance(c.get("label"), str) for c in top):
        out.append(f"{iid}: topK labels missing")
    scheme, crops, votes = v.get("cropScheme"), v.get("cropsAveraged"), v.get("topCropVotes")
    if (scheme, crops) not in (("ten-crop", 10), ("center-crop", 1)) or not (0 <= votes <= crops):
        out.append(f"{iid}: crop fields inconsistent: {scheme} {crops} {votes}")
    t = v.get("timings") or {}
    if t.get("batchImages", 0) < 1 or t.get("queuedMs", -1) < 0 or t.get("batchInferenceMs", -1) < 0:
        out.append(f"{iid}: timings wrong: {t}")
    src = v.get("source") or {}
    if not src.get("topic") or src.get("partition", -1) < 0 or src.get("offset", -1) < 0:
        out.append(f"{iid}: source wrong: {src}")
    if v.get("predictedAt") is None:
        out.append(f"{iid}: predictedAt missing")
    return out


if __name__ == "__main__":
    sys.exit(main())
