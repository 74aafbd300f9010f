#!/usr/bin/python3
"""A downstream consumer of resnet-stream's outcomes with Confluent's Python client (docs/consumers.md).

Reads the predictions and dead-letter topics with isolation.level=read_committed and decodes each value
through the schema registry (Confluent wire format: magic byte 0, 4-byte schema id, Avro binary). Prints
one JSON object per outcome: {"kind": "prediction"|"dead_letter", "key", "partition", "offset",
"traceparent", "value"}. Stops after --max outcomes or --idle seconds without a new one.

Needs python3-confluent-kafka and python3-avro (Debian). It uses the client's legacy Avro API
(confluent_kafka.avro), which Debian's packages support; the newer confluent_kafka.schema_registry.avro
needs fastavro. Keys are plain UTF-8 strings (the image id), not Avro, so it decodes values only,
on a plain Consumer (AvroConsumer would try to Avro-decode the keys too).

  consume_outcomes.py --bootstrap 127.0.0.1:9092 --registry http://127.0.0.1:8081/apis/ccompat/v7 \
      --predictions predictions --dead-letters images-dlq --group my-team
"""
import argparse
import json
import sys
import time

from confluent_kafka import Consumer
from confluent_kafka.avro import CachedSchemaRegistryClient
from confluent_kafka.avro.serializer.message_serializer import MessageSerializer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bootstrap", default="127.0.0.1:9092")
    ap.add_argument("--registry", default="http://127.0.0.1:8081/apis/ccompat/v7")
    ap.add_argument("--predictions", default="predictions")
    ap.add_argument("--dead-letters", default="images-dlq")
    ap.add_argument("--group", required=True, help="your consumer group: offsets are committed under it")
    ap.add_argument("--max", type=int, default=0, help="stop after this many outcomes (0: never)")
    ap.add_argument("--idle", type=float, default=0, help="stop after this many seconds without one (0: never)")
    args = ap.parse_args()

    values = MessageSerializer(CachedSchemaRegistryClient({"url": args.registry}))
    consumer = Consumer({
        "bootstrap.servers": args.bootstrap,
        "group.id": args.group,
        "isolation.level": "read_committed",  # never an outcome whose transaction the service aborted
        "auto.offset.reset": "earliest",
        "enable.auto.commit": True,  # at-least-once for this consumer: make your own processing idempotent by key
    })
    consumer.subscribe([args.predictions, args.dead_letters])
    seen, last = 0, time.monotonic()
    try:
        while not (args.max and seen >= args.max) and not (args.idle and time.monotonic() - last > args.idle):
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                print(f"consumer error: {msg.error()}", file=sys.stderr)
                continue
            last = time.monotonic()
            seen += 1
            headers = dict(msg.headers() or [])
            record = values.decode_message(msg.value())  # the writer's schema, fetched by id and cached
            print(json.dumps({
                "kind": "prediction" if msg.topic() == args.predictions else "dead_letter",
                "key": msg.key().decode("utf-8") if msg.key() is not None else None,
                "partition": msg.partition(),
                "offset": msg.offset(),
                "traceparent": headers["traceparent"].decode("ascii") if "traceparent" in headers else None,
                "value": record,
            }, default=lambda b: b.hex() if isinstance(b, bytes) else str(b)), flush=True)
    finally:
        consumer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
