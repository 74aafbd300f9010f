"""Confluent's own Python client (confluent-kafka 1.7, its legacy Avro API) on our wire format.

  confluent_interop.py encode REGISTRY_URL TOPIC SCHEMA_FILE < record.json   prints the framed value as hex
  confluent_interop.py decode REGISTRY_URL < hex                             prints the decoded record as JSON

Records travel as JSON in Avro's own JSON conventions, simplified: bytes are strings of code points 0-255,
timestamp-millis values are epoch milliseconds, and a union ["null", T] is null or a plain T.
Run it with Debian's /usr/bin/python3 (python3-confluent-kafka, python3-avro, python3-requests).
"""
import datetime
import json
import sys

from confluent_kafka.avro import CachedSchemaRegistryClient, loads
from confluent_kafka.avro.serializer.message_serializer import MessageSerializer

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
MILLISECOND = datetime.timedelta(milliseconds=1)


def from_json(schema, value):
    """JSON value -> what the avro library writes for this schema."""
    if value is None:
        return None
    kind = schema.type
    if kind == 'union':
        return from_json(next(branch for branch in schema.schemas if branch.type != 'null'), value)
    if kind == 'record':
        return {field.name: from_json(field.type, value.get(field.name)) for field in schema.fields}
    if kind == 'array':
        return [from_json(schema.items, item) for item in value]
    if kind == 'map':
        return {key: from_json(schema.values, item) for key, item in value.items()}
    if kind == 'bytes':
        return value.encode('latin-1')
    if schema.props.get('logicalType') == 'timestamp-millis':
        return EPOCH + value * MILLISECOND
    return value


def to_json(value):
    """What the avro library read -> JSON value."""
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_json(item) for item in value]
    if isinstance(value, bytes):
        return value.decode('latin-1')
    if isinstance(value, datetime.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)
        return (aware - EPOCH) // MILLISECOND
    return value


def main(args):
    mode, url = args[0], args[1]
    serializer = MessageSerializer(CachedSchemaRegistryClient({'url': url}))
    if mode == 'encode':
        topic, schema_file = args[2], args[3]
        with open(schema_file, encoding='utf-8') as f:
            schema = loads(f.read())
        record = from_json(schema, json.load(sys.stdin))
        print(serializer.encode_record_with_schema(topic, schema, record).hex())
    elif mode == 'decode':
        value = bytes.fromhex(sys.stdin.read().strip())
        print(json.dumps(to_json(serializer.decode_message(value)), ensure_ascii=False))
    else:
        sys.exit('usage: confluent_interop.py encode URL TOPIC SCHEMA_FILE < record.json | decode URL < hex')


if __name__ == '__main__':
    main(sys.argv[1:])
