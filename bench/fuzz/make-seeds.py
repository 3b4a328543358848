#!/usr/bin/env python3
"""Writes the hand-made seed inputs of Junction's fuzz targets (see docs/fuzzing.md).

Each target replays its seeds, and every input fuzzing saved there, on every build. Run from the repository root:
    python3 bench/fuzz/make-seeds.py
The files are committed; rerun only to change them. Byte 0 of most inputs selects how the harness feeds the rest
(see each fuzz test's class comment).
"""
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')


def save(module, package, test, method, name, data):
    d = os.path.join(ROOT, module, 'src/test/resources', package.replace('.', '/'), test + 'Inputs', method)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, 'seed-' + name), 'wb') as f:
        f.write(data)


# ---------------------------------------------------------------------------------------------------- AMQP 0-9-1

def shortstr(s):
    b = s if isinstance(s, bytes) else s.encode()
    return bytes([len(b)]) + b


def longstr(s):
    b = s if isinstance(s, bytes) else s.encode()
    return struct.pack('>I', len(b)) + b


def table(entries):
    body = b''.join(shortstr(k) + v for k, v in entries)
    return struct.pack('>I', len(body)) + body


def array(values):
    body = b''.join(values)
    return struct.pack('>I', len(body)) + body


ALL_TYPES = table([
    ('s', b'S' + longstr('text')), ('bin', b'S' + longstr(b'\xff\xfe')), ('x', b'x' + longstr(b'\x00\x01')),
    ('t', b't\x01'), ('b', b'b\xff'), ('B', b'B\xff'), ('short', b's\x80\x00'), ('u', b'u\xff\xff'),
    ('I', b'I\x80\x00\x00\x00'), ('i', b'i\xff\xff\xff\xff'), ('l', b'l' + struct.pack('>q', -2)),
    ('L', b'L' + struct.pack('>q', 7)), ('f', b'f' + struct.pack('>f', 1.5)), ('d', b'd' + struct.pack('>d', -0.25)),
    ('D', b'D\x02' + struct.pack('>i', 12345)), ('T', b'T' + struct.pack('>q', 1700000000)), ('V', b'V'),
    ('F', b'F' + table([('nested', b'A' + array([b'I\x00\x00\x00\x01', b'V', b'S' + longstr('a')]))])),
    ('A', b'A' + array([b'F' + table([]), b'A' + array([])])),
])


def frame(ftype, channel, payload, end=0xCE):
    return struct.pack('>BHI', ftype, channel, len(payload)) + payload + bytes([end])


def method(channel, class_id, method_id, args=b''):
    return frame(1, channel, struct.pack('>HH', class_id, method_id) + args)


def publish(channel, exchange, key, mandatory=False):
    return method(channel, 60, 40, struct.pack('>H', 0) + shortstr(exchange) + shortstr(key)
                  + bytes([1 if mandatory else 0]))


def header(channel, body_size, flags=0, props=b'', class_id=60):
    return frame(2, channel, struct.pack('>HHQH', class_id, 0, body_size, flags) + props)


def body(channel, data):
    return frame(3, channel, data)


ALL_PROPS = (shortstr('text/plain') + shortstr('gzip') + ALL_TYPES + b'\x02' + b'\x05' + shortstr('corr')
             + shortstr('reply') + shortstr('60000') + shortstr('id-1') + struct.pack('>q', 1700000000)
             + shortstr('type') + shortstr('fuzz') + shortstr('app') + shortstr('cluster'))
HEARTBEAT = frame(8, 0, b'')
AMQP_HEADER = b'AMQP\x00\x00\x09\x01'
TUNE_OK = method(0, 10, 31, struct.pack('>HIH', 2047, 131072, 60))


def amqp_decoder(name, data):
    save('protocol-amqp', 'dev.junction.amqp.codec', 'AmqpFrameDecoderFuzzTest',
         'decodesAnyByteStreamIntoFramesOrOneFrameError', name, data)


stream = (publish(1, 'amq.topic', 'a.b', True) + header(1, 10, 0xFFFC, ALL_PROPS) + body(1, b'01234')
          + body(1, b'56789') + method(1, 60, 80, struct.pack('>QB', 12, 1)) + HEARTBEAT + TUNE_OK)
amqp_decoder('valid-stream', b'\x00' + stream)
amqp_decoder('valid-stream-in-5-byte-pieces', b'\x05' + stream)
amqp_decoder('valid-header-raw', b'\x80' + AMQP_HEADER + HEARTBEAT)
amqp_decoder('http-instead-of-amqp', b'\x80GET / HTTP/1.1\r\n\r\n')
amqp_decoder('amqp-1-0-header', b'\x80AMQP\x00\x01\x00\x00')
amqp_decoder('bad-frame-end', b'\x00' + frame(8, 0, b'', end=0x00))
amqp_decoder('over-frame-max', b'\x00' + frame(3, 1, b'\x00' * 5000))
amqp_decoder('unknown-frame-type', b'\x00' + frame(9, 0, b''))
amqp_decoder('unknown-method', b'\x00' + method(1, 99, 99))
amqp_decoder('trailing-argument-bytes', b'\x00' + method(1, 60, 80, struct.pack('>QB', 1, 0) + b'\x00'))
amqp_decoder('header-for-class-10', b'\x00' + header(1, 0, class_id=10))
amqp_decoder('header-body-size-negative', b'\x00' + header(1, 1 << 63))
amqp_decoder('property-flags-continuation', b'\x00' + header(1, 0, 0x0001, b'\x00\x01\x00\x00'))
amqp_decoder('routing-key-invalid-utf8', b'\x00' + publish(1, 'x', b'\xff' * 255))
amqp_decoder('exchange-declare-all-field-types', b'\x00' + method(1, 40, 10, struct.pack('>H', 0) + shortstr('ex')
             + shortstr('topic') + b'\x02' + ALL_TYPES))
amqp_decoder('queue-declare-and-consume', b'\x00' + method(1, 50, 10, struct.pack('>H', 0) + shortstr('q') + b'\x02'
             + table([('x-max-length', b'I\x00\x00\x00\x0a')])) + method(1, 60, 20, struct.pack('>H', 0)
             + shortstr('q') + shortstr('tag') + b'\x00' + table([])))

# Field tables, on their own.
def field_table(name, data):
    save('protocol-amqp', 'dev.junction.amqp.codec', 'FieldTablesFuzzTest', 'readTablesWriteBackToTheSameValues',
         name, data)


field_table('all-types', ALL_TYPES)
field_table('empty', table([]))
nested = table([])
for _ in range(70):
    nested = table([('n', b'F' + nested)])
field_table('nested-70-deep', nested)
field_table('truncated', ALL_TYPES[:-3])
field_table('length-overruns', struct.pack('>I', 1000) + b'\x01aV')
field_table('unknown-type', table([('z', b'Z')]))
field_table('key-invalid-utf8', table([(b'\xc3\x28\xff', b'V')]))
field_table('array-of-voids', table([('a', b'A' + array([b'V'] * 64))]))

# Content assembly, after the harness's login and channel.open on channel 1.
def assembly(name, data):
    save('protocol-amqp', 'dev.junction.amqp', 'AmqpContentAssemblyFuzzTest',
         'publishesAssembleWithinBoundsAndNeverFailInternally', name, data)


assembly('publish-one-body-frame', b'\x00' + publish(1, '', 'q') + header(1, 10) + body(1, b'0123456789'))
assembly('publish-all-properties-mandatory', b'\x00' + publish(1, 'amq.direct', 'k', True)
         + header(1, 10, 0xFFEC, ALL_PROPS[:]) + body(1, b'01234') + body(1, b'56789'))
assembly('confirm-select-then-publish', b'\x00' + method(1, 85, 10, b'\x00') + publish(1, '', 'q')
         + header(1, 4) + body(1, b'abcd') + publish(1, 'amq.fanout', '') + header(1, 0))
assembly('tx-publish-commit-rollback', b'\x03' + method(1, 90, 10) + publish(1, '', 'q') + header(1, 3)
         + body(1, b'abc') + method(1, 90, 20) + publish(1, '', 'q') + header(1, 0) + method(1, 90, 30))
assembly('body-without-header', b'\x00' + publish(1, '', 'q') + body(1, b'abc'))
assembly('method-between-header-and-body', b'\x00' + publish(1, '', 'q') + header(1, 5) + publish(1, '', 'q'))
assembly('body-larger-than-announced', b'\x00' + publish(1, '', 'q') + header(1, 2) + body(1, b'abc'))
assembly('over-max-message-size', b'\x00' + publish(1, '', 'q') + header(1, 20 << 20) + body(1, b'abc'))
assembly('bad-expiration', b'\x00' + publish(1, '', 'q') + header(1, 1, 1 << 8, shortstr('soon')) + body(1, b'x'))
assembly('foreign-user-id', b'\x00' + publish(1, '', 'q') + header(1, 1, 1 << 4, shortstr('guest')) + body(1, b'x'))
assembly('missing-exchange', b'\x00' + publish(1, 'nope', 'q') + header(1, 1) + body(1, b'x'))
assembly('immediate-publish', b'\x00' + method(1, 60, 40, struct.pack('>H', 0) + shortstr('') + shortstr('q') + b'\x02'))
assembly('publish-on-closed-channel', b'\x00' + publish(2, '', 'q') + header(2, 1) + body(2, b'x'))
assembly('channel-close-and-reopen', b'\x00' + method(1, 20, 40, struct.pack('>H', 200) + shortstr('bye')
         + struct.pack('>HH', 0, 0)) + method(1, 20, 10, shortstr('')) + publish(1, '', 'q') + header(1, 0))
assembly('connection-close', b'\x00' + method(0, 10, 50, struct.pack('>H', 200) + shortstr('bye')
         + struct.pack('>HH', 0, 0)))
assembly('mandatory-return-of-invalid-utf8-key', b'\x00' + publish(1, 'amq.direct', b'\xff' * 255, True)
         + header(1, 1) + body(1, b'x'))
assembly('header-key-invalid-utf8', b'\x00' + publish(1, 'amq.direct', 'k', True)
         + header(1, 1, 1 << 13, table([(b'\xfe' * 255, b'V')])) + body(1, b'x'))
assembly('heartbeats-and-frame-error', b'\x00' + HEARTBEAT + HEARTBEAT + frame(8, 0, b'x'))

# -------------------------------------------------------------------------------------------------------- MQTT

def varint(n):
    out = b''
    while True:
        d = n % 128
        n //= 128
        out += bytes([d | (0x80 if n else 0)])
        if not n:
            return out


def mstr(s):
    b = s if isinstance(s, bytes) else s.encode()
    return struct.pack('>H', len(b)) + b


def packet(b1, rest):
    return bytes([b1]) + varint(len(rest)) + rest


def props(p):
    return varint(len(p)) + p


def connect(level, client='fuzz', v5_props=b'', user=None, password=None, will=None):
    flags = 0x02
    payload = mstr(client)
    if will:
        flags |= 0x04 | 0x20
        payload += (props(b'') if level == 5 else b'') + mstr(will[0]) + mstr(will[1])
    if user is not None:
        flags |= 0x80
        payload += mstr(user)
    if password is not None:
        flags |= 0x40
        payload += mstr(password)
    name = 'MQIsdp' if level == 3 else 'MQTT'
    vh = mstr(name) + bytes([level, flags]) + struct.pack('>H', 60) + (props(v5_props) if level == 5 else b'')
    return packet(0x10, vh + payload)


PUB_PROPS_V5 = (b'\x01\x01' + b'\x02' + struct.pack('>I', 60) + b'\x03' + mstr('text/plain') + b'\x08'
                + mstr('reply/topic') + b'\x09' + mstr(b'\x00\xffcorr') + b'\x26' + mstr('k') + mstr('v')
                + b'\x26' + mstr('x-mqtt-topic') + mstr('spoof') + b'\x23\x00\x01')
v311 = (connect(4, user='guest', password='guest', will=('will/t', 'bye')) + packet(0x30, mstr('a/b') + b'hello')
        + packet(0x32, mstr('a/c') + struct.pack('>H', 1) + b'q1') + packet(0x82, struct.pack('>H', 2) + mstr('a/#')
        + b'\x01' + mstr('$share/g/+/x') + b'\x00') + packet(0xA2, struct.pack('>H', 3) + mstr('a/#'))
        + packet(0xC0, b'') + packet(0xE0, b''))
v5 = (connect(5, v5_props=b'\x11' + struct.pack('>I', 3600) + b'\x21\x00\x0a' + b'\x27' + struct.pack('>I', 65536))
      + packet(0x33, mstr('a/b') + struct.pack('>H', 7) + props(PUB_PROPS_V5) + b'payload')
      + packet(0x40, struct.pack('>H', 7)) + packet(0x82, struct.pack('>H', 2) + props(b'\x0b\x05')
      + mstr('a/+') + b'\x2e') + packet(0xE0, b'\x00' + props(b'')))
v31 = connect(3) + packet(0x30, mstr('x') + b'')


def mqtt_decoder(name, data):
    save('protocol-mqtt', 'dev.junction.mqtt', 'MqttDecoderFuzzTest', 'decodesAnyStreamIntoPacketsOrOneRefusal',
         name, data)


def guard(name, data):
    save('protocol-mqtt', 'dev.junction.mqtt', 'PacketGuardFuzzTest', 'passesWholeValidPacketsInOrderOrOneViolation',
         name, data)


mqtt_decoder('v311-session', b'\x00' + v311)
mqtt_decoder('v311-session-in-3-byte-pieces', b'\x03' + v311)
mqtt_decoder('v5-session-with-properties', b'\x00' + v5)
mqtt_decoder('v31-connect', b'\x00' + v31)
mqtt_decoder('v5-publish-bad-property-id', b'\x00' + connect(5) + packet(0x30, mstr('t') + props(b'\x7f\x00')))
mqtt_decoder('v5-publish-property-overruns', b'\x00' + connect(5) + packet(0x30, mstr('t') + varint(100) + b'\x01'))
mqtt_decoder('publish-before-connect', b'\x00' + packet(0x30, mstr('t') + b'x'))
mqtt_decoder('connect-bad-protocol-level', b'\x00' + connect(9))
mqtt_decoder('over-1-kib-maximum', b'\x80' + connect(4) + packet(0x30, mstr('t') + b'\x00' * 2000))
mqtt_decoder('publish-topic-invalid-utf8', b'\x00' + connect(4) + packet(0x30, mstr(b'\xff\xfe/#') + b'x'))

guard('v311-session', b'\x00\x00' + v311)
guard('v5-session-in-1-byte-pieces', b'\x01\x00' + v5)
guard('small-maximum', b'\x00\x02' + v311)
guard('both-qos-bits', b'\x00\x00' + packet(0x36, mstr('t') + b'\x00\x01'))
guard('qos0-dup', b'\x00\x00' + packet(0x38, mstr('t')))
guard('subscribe-reserved-flags', b'\x00\x00' + packet(0x80, b'\x00\x01' + mstr('t') + b'\x00'))
guard('remaining-length-five-bytes', b'\x00\x00\x30\xff\xff\xff\xff\x7f')
guard('reserved-type-0', b'\x00\x00\x00\x00')
guard('announces-256-mib', b'\x00\x00\x30\xff\xff\xff\x7f')


def ws_frame(opcode, payload, fin=True, mask=b'\x11\x22\x33\x44'):
    n = len(payload)
    b0 = (0x80 if fin else 0) | opcode
    if n < 126:
        head = bytes([b0, 0x80 | n])
    elif n < 65536:
        head = bytes([b0, 0x80 | 126]) + struct.pack('>H', n)
    else:
        head = bytes([b0, 0x80 | 127]) + struct.pack('>Q', n)
    masked = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
    return head + mask + masked


def ws(name, data):
    save('protocol-mqtt', 'dev.junction.mqtt', 'MqttWebSocketFuzzTest', 'upgradesAndFramesOnlyIntoMqttPacketsOrAClose',
         name, data)


UPGRADE = (b'GET /mqtt HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
           b'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: mqtt\r\n'
           b'Sec-WebSocket-Version: 13\r\n\r\n')
ws('v311-session-one-frame', b'\x00' + ws_frame(2, v311))
ws('v5-session-split-across-frames', b'\x00' + ws_frame(2, v5[:7], fin=False) + ws_frame(0, v5[7:20], fin=False)
   + ws_frame(0, v5[20:]))
ws('two-packets-per-frame-then-ping-and-close', b'\x00' + ws_frame(2, v31) + ws_frame(9, b'hi')
   + ws_frame(8, b'\x03\xe8'))
ws('text-frame', b'\x00' + ws_frame(1, b'not mqtt'))
ws('unmasked-frame', b'\x00' + b'\x82\x02\xc0\x00')
ws('reserved-opcode', b'\x00' + ws_frame(3, b''))
ws('in-7-byte-pieces', b'\x07' + ws_frame(2, v311))
ws('raw-upgrade-and-frame', b'\x80' + UPGRADE + ws_frame(2, v31))
ws('raw-wrong-path', b'\x80' + UPGRADE.replace(b'/mqtt', b'/other'))
ws('raw-wrong-subprotocol', b'\x80' + UPGRADE.replace(b'Protocol: mqtt', b'Protocol: stomp'))
ws('raw-plain-get', b'\x80GET /mqtt HTTP/1.1\r\nHost: x\r\n\r\n')
ws('raw-garbage-request-line', b'\x80\x00\x01\x02 / HTTP/9\r\n\r\n')
ws('raw-oversized-header', b'\x80GET /mqtt HTTP/1.1\r\nX: ' + b'a' * 9000 + b'\r\n\r\n')

# ------------------------------------------------------------------------------------------------------ config

def config(name, data):
    save('config', 'dev.junction.config', 'ConfigLoaderFuzzTest', 'anyFileLoadsOrFailsWithOneConfigException',
         name, data)


with open(os.path.join(ROOT, 'config/junction.yaml'), 'rb') as f:
    config('default-file', f.read())
config('empty', b'')
config('small-valid', b'listeners:\n  amqp: { port: 0 }\n  mqtt: { port: 0, bind: "127.0.0.1" }\nlimits:\n'
       b'  frame_max: 4096\n  max_message_size: 1024\nvhosts: ["/", "dev"]\n')
config('users-and-acl', b'vhosts: ["/"]\nusers:\n  - name: dev\n    password: pw\n    tags: [monitoring]\n'
       b'    permissions:\n      "/": { configure: "^app\\\\.", write: ".*", read: "" }\n    acl:\n'
       b'      - { permission: deny, action: subscribe, topic: "secret/#" }\n'
       b'      - { permission: allow, action: all, topic: "%u/%c/+" }\n')
config('syntax-error', b'listeners:\n  amqp: [port: 1\n')
config('unknown-key', b'limits:\n  max_conections: 10\n')
config('out-of-range', b'listeners:\n  amqp:\n    port: 70000\n')
config('wrong-type', b'storage: 12\n')
config('aliases', b'base: &b { port: 0 }\nlisteners:\n  amqp: *b\n  mqtt: *b\n')
config('nested-sequences', b'vhosts: ' + b'[' * 200 + b']' * 200 + b'\n')
config('invalid-utf8', b'vhosts: ["\xff\xfe"]\n')
config('newline-in-key', b'limits:\n  "max\\nconnections": 1\n')
config('bad-regex', b'users:\n  - name: a\n    password: b\n    permissions:\n      "/": { read: "(" }\n')
config('tab-indent', b'limits:\n\tframe_max: 1\n')
config('bom-and-duplicate-keys', b'\xef\xbb\xbflimits:\n  frame_max: 4096\n  frame_max: 8192\n')
