# SPDX-License-Identifier: MIT
"""urpc end to end on an in-memory link: imports, attributes, calls, kwargs,
exceptions, proxies passed back, equality, large transfers, releases, the
object table, timeouts, a damaged link, hostile frames.

Runs under CPython (mpx.urpc) and MicroPython (the frozen or on-path urpc);
the same protocol code on both. Real streams are in test_urpc_desktop.py.
"""
import errno
import gc

import urpc_loop
from mpxtest import IS_MICROPYTHON, raises

try:
    from mpx import urpc, msgpack, _urpc
except ImportError:
    import urpc
    import msgpack
    import _urpc


def setup():
    client, server, end = urpc_loop.pair(urpc)
    return client, server, end, client.import_('urpc_fixture')


def test_import_attributes_calls_kwargs():
    client, server, end, fx = setup()
    assert fx.VERSION == 3                      # a value
    assert fx.add(2, 3) == 5                    # a function, one round trip
    assert fx.join('a', 'b', sep='-', end='!') == 'a-b!'
    c = fx.Counter(5)                           # a class, called remotely
    assert isinstance(c, urpc.Proxy)
    assert c.incr() == 6 and c.incr(by=4) == 10
    assert c.value == 10                        # a data attribute
    c.value = 20                                # set remotely
    assert c.get() == 20
    assert fx.value_of(c) == 20                 # a proxy passed back is the object
    assert str(c).startswith('<')               # str() of the remote object
    assert client.server['protocol'] == urpc.PROTOCOL


def test_references_compare_and_hash():
    client, server, end, fx = setup()
    c = fx.Counter(1)
    same = fx.same(c)
    assert same == c and hash(same) == hash(c) and same is not c
    assert {c: 'x'}[same] == 'x'
    a, d = fx.pair()                            # one object, twice in one reply
    assert a == d['again'] and a.get() == 42
    assert fx.Counter(1) != c


def test_exceptions_come_back_as_data():
    client, server, end, fx = setup()
    e = raises(ValueError, fx.fail, 'ValueError', 'bad value')
    assert e.args == ('bad value',)
    raises(KeyError, fx.fail, 'KeyError', 'k')
    raises(ZeroDivisionError, fx.fail, 'ZeroDivisionError')
    e = raises(OSError, fx.fail, 'OSError', errno.ECONNREFUSED)
    assert e.args[0] == errno.ECONNREFUSED
    e = raises(urpc.RemoteError, fx.fail, 'FixtureError', 'custom', 7)
    assert e.name == 'FixtureError' and e.remote_args == ['custom', 7]
    assert 'fixture' in e.traceback
    raises(TypeError, fx.add, 1)                # wrong arguments
    assert fx.add(1, 1) == 2                    # and the link goes on
    assert server.counts['errors'] == 6
    # An error reply that is not [name, args, traceback] is a RemoteError too.
    for body in ([5, 'x', None], ['ValueError', 7, ''], 'text'):
        server._error_body = lambda e, body=body: msgpack.packb(body)
        e = raises(urpc.RemoteError, fx.fail, 'ValueError', 'v')
        assert e.name == '?' and 'malformed' in e.traceback


def test_nothing_outside_allow_and_no_private_names():
    client, server, end, fx = setup()
    raises(ImportError, client.import_, 'builtins')
    raises(ImportError, client.import_, 'os')
    raises(AttributeError, getattr, fx, '_private')    # refused locally, never sent
    raises(AttributeError, client.getattr_, fx, '__dict__')  # and by the server
    raises(AttributeError, client.getattr_, fx, '_private')
    raises(AttributeError, client.setattr_, fx, '__name__', 'x')
    # A module reached as an attribute or inside a result travels only if it
    # is allowed (CPython's socket module holds os and sys, for instance).
    raises(ImportError, getattr, fx, 'host')
    raises(ImportError, fx.modules)
    assert fx.collector == client.import_('gc')         # allowed: the same reference
    assert fx.add(1, 2) == 3


GC_SERVED = ('collect', 'enable', 'disable', 'isenabled', 'mem_alloc', 'mem_free', 'threshold')


def test_gc_serves_collect_and_memory_figures_only():
    # CPython's gc hands out any object on the server (get_objects,
    # get_referrers); what is served is MicroPython's gc API.
    client, server, end, fx = setup()
    for g in (client.import_('gc'), fx.collector):      # however it was reached
        g.collect()
        assert g.isenabled() is True
        assert g.mem_free() > 0 and g.mem_alloc() > 0       # a desktop server has them too
        assert set(client._call(urpc.OP_SHAPE, g._s)) <= set(GC_SERVED)
        c = fx.Counter(1)
        for name in ('get_objects', 'get_referrers', 'get_referents', 'garbage', 'callbacks',
                     'set_debug', 'freeze'):
            raises(AttributeError, getattr, g, name)
            raises(AttributeError, client.getattr_, g, name)
            raises(AttributeError, client._call, urpc.OP_CALLMETHOD, g, name, ())
            raises(AttributeError, client._call, urpc.OP_CALLMETHOD, g, name, (c,))
            raises(AttributeError, client.setattr_, g, name, None)
    assert fx.add(1, 2) == 3


def test_gc_memory_figures_follow_the_servers_allocations():
    # On a desktop (CPython) server mem_alloc is the process's heap in RAM
    # (32 MiB that the server allocates, here in this process, show) and
    # mem_free what the machine can still give (less than all its RAM).
    if IS_MICROPYTHON:
        from mpxtest import skip

        skip("the desktop server's figures (MicroPython's own gc is tested above)")
    client, server, end, fx = setup()
    g = client.import_('gc')
    before = g.mem_alloc()
    big = b"x" * (32 << 20)
    after = g.mem_alloc()
    assert after - before >= 30 << 20, (before, after)
    with open("/proc/meminfo") as f:
        total = [int(line.split()[1]) * 1024 for line in f if line.startswith("MemTotal:")][0]
    assert 0 < g.mem_free() < total, (g.mem_free(), total)
    del big


def test_no_walk_reaches_the_server_namespaces():
    client, server, end, fx = setup()
    c = fx.Counter(1)
    add, same = fx.functions()                  # functions as references
    assert add(2, 2) == 4 and same(c) == c
    for target in (fx, fx.Counter, c, add):
        for name in ('__class__', '__mro__', '__dict__', '__globals__', '__builtins__',
                     '__module__', '__closure__', '__code__', '__self__'):
            raises(AttributeError, client.getattr_, target, name)
            raises(AttributeError, client._call, urpc.OP_CALLMETHOD, target, name, ())
    raises(ImportError, client.import_, 'sys')
    raises(ImportError, getattr, fx, 'system')          # sys, as an attribute
    raises(ImportError, fx.loaded_modules)              # sys.modules, as a result
    # A generator's frame would open f_globals and f_builtins (exec):
    # frames and code are never sent (MicroPython's generators have none).
    gen = fx.countdown(3)
    never = AttributeError if IS_MICROPYTHON else TypeError
    for name in ('gi_frame', 'gi_code'):
        raises(never, client.getattr_, gen, name)
    assert fx.add(1, 2) == 3


def test_large_transfers():
    client, server, end, fx = setup()
    data = fx.blob(4000)
    assert data == bytes(i & 0xff for i in range(4000))
    assert fx.echo(b'\x00\xff' * 1500) == b'\x00\xff' * 1500
    r = fx.Reader(bytes(range(256)) * 10)
    buf = bytearray(1000)
    assert r.readinto(buf) == 1000 and buf[:256] == bytearray(range(256))
    assert r.readinto(buf) == 1000 and r.readinto(buf) == 560
    # A reply larger than the client accepts is refused by the server, as data.
    e = raises(ValueError, fx.blob, 4100)        # 4,103 bytes: the client takes 4,096
    assert 'client takes' in str(e)
    # The bytes on the link: a payload and a few bytes of framing.
    before = client.stats()['bytes_out']
    fx.echo(b'z' * 3000)
    sent = client.stats()['bytes_out'] - before
    assert 3000 < sent < 3000 + 40, sent


def test_sends_larger_than_a_frame_go_in_pieces():
    # A server that takes bodies of 1 kB (small, for the qemu board's heap).
    client, server, end = urpc_loop.pair(urpc, max_body=1024)
    s = client.import_('urpc_fixture').Sink()
    big = 2500
    assert 0 < s.write(b'x' * big) < big        # write() may take less than all
    s.sendall(b'y' * big)                       # sendall() sends it all, in pieces
    assert s.count(b'y') == big
    assert s.size() == big + s.count(b'x')
    raises(ValueError, s.count, b'y' * 1500)    # a request larger than the server takes


def test_a_server_with_tiny_frames_still_moves_every_byte():
    # 60-byte bodies: the pieces are small, but nothing is dropped or cut.
    client, server, end = urpc_loop.pair(urpc, max_body=60)
    fx = client.import_('urpc_fixture')
    s = fx.Sink()
    s.sendall(bytes(range(100)))
    assert s.size() == 100 and s.crc32() == _urpc.crc32(bytes(range(100)))
    r = fx.reader(100)                          # made on the server: bytes(range(100))
    buf = bytearray(100)
    got = bytearray()
    while True:
        n = r.readinto(buf)
        if not n:
            break
        got += buf[:n]
    assert got == bytearray(range(100))


def _requests(client, n):
    """Requests until n were sent, HELLO (the Client itself) included, with
    a Counter made and used when there is room for it; returns n."""
    kept = client.import_('urpc_fixture').Counter(0) if n >= 5 else None
    while client.stats()['calls'] < n:
        if kept is None:
            client.server_stats()
        else:
            kept.get()
    assert client.stats()['calls'] == n
    return n


def _new_session(end, server, calls=150):
    """A new Client on the link, as after the client board reset: it gets a
    session, and every request of it runs once and gets its own reply."""
    gc.collect()                                # the old clients' buffers (the qemu board's heap)
    before = dict(server.counts)
    client = urpc.Client(end, timeout=2.0, retry=0.05)
    fx = client.import_('urpc_fixture')
    c = fx.Counter(0)
    for i in range(calls):
        assert c.incr() == i + 1, i             # ran once: not dropped, not an old reply
    assert fx.add(calls, 1) == calls + 1
    s = client.server_stats()
    assert s['stale'] == before['stale'], (s, before)   # no request of it taken for an old one
    assert s['objects'] == client.stats()['live']   # the old session's objects are gone


def test_a_client_that_restarts_gets_a_new_session():
    # The client board resets while the server runs: its request ids start
    # at 1 again, after 1, 3 or 100 requests of the old session.
    for n in (1, 3, 100):
        gc.collect()
        client, server, end = urpc_loop.pair(urpc)
        _requests(client, n)
        session = server.session
        _new_session(end, server)
        assert server.session == session + 1
        _new_session(end, server)               # and again
        del client, server, end


def test_a_client_that_restarts_in_the_middle_of_a_request():
    # The old client sent a request and reset before it read the reply. The
    # server runs it, once, before (or after) the new client starts.
    for answered_before in (True, False):
        gc.collect()
        client, server, end = urpc_loop.pair(urpc)
        kept = client.import_('urpc_fixture').Counter(0)
        assert kept.incr() == 1
        obj = server._objs[kept._r][0]
        client._timeout = 100
        pump = end.pump
        end.pump = None                          # the server has not run it yet
        raises(OSError, kept.incr)               # the old client is gone
        end.pump = pump
        if answered_before:
            server.poll(0)                       # its reply waits on the new client's link
        _new_session(end, server)
        assert obj.value == 2                    # the old request ran once (1 + 1)
        del client, server, end, kept, obj


def make_and_drop(fx, n):
    for _ in range(n):
        fx.new_object()


def test_10000_proxies_released_back_to_baseline():
    client, server, end, fx = setup()
    base = client.server_stats()['objects']
    for _ in range(100):
        make_and_drop(fx, 100)
        gc.collect()
    gc.collect()
    client.flush()
    s = client.server_stats()
    assert s['objects'] == base, (s['objects'], base)
    st = client.stats()
    assert st['releases_sent'] >= 10000 and st['releases_lost'] == 0
    assert st['live'] == s['objects']            # the client's count is the server's


def test_the_object_table_is_bounded():
    client, server, end, fx = setup()
    server.max_objects = len(server._objs) + 5
    kept = [fx.new_object() for _ in range(5)]
    e = raises(MemoryError, fx.new_object)
    assert 'full' in str(e)
    del kept[:]
    gc.collect()
    client.flush()
    fx.new_object()                              # room again


def test_a_dead_server_times_out_and_the_link_recovers():
    client, server, end, fx = setup()
    client._timeout = 300
    pump = end.pump
    end.pump = None                              # the server stops answering
    e = raises(OSError, lambda: fx.add(1, 2))
    assert e.args[0] == errno.ETIMEDOUT
    assert client.stats()['timeouts'] == 1 and client.stats()['retries'] >= 1
    end.pump = pump                              # it is back
    assert fx.add(2, 2) == 4
    assert fx.add(3, 3) == 6


def test_a_damaged_link_gives_right_answers_or_clear_errors():
    # 1% of the bytes flipped or dropped, both ways.
    client, server, end = None, None, None
    for attempt in range(5):   # HELLO itself may time out on a bad start
        try:
            client, server, end = urpc_loop.pair(urpc, damage_per_mille=10, seed=7 + attempt)
            break
        except OSError:
            continue
    assert client is not None
    client._timeout = 1500
    fx = client.import_('urpc_fixture')
    right = timeouts = 0
    for i in range(150):
        try:
            assert fx.add(i, 1000) == i + 1000
            right += 1
        except OSError as e:
            assert e.args[0] == errno.ETIMEDOUT
            timeouts += 1
    st = client.stats()
    assert right + timeouts == 150 and right > 140, (right, timeouts, st)
    assert st['retries'] > 0 and st['frames_dropped'] + st['bytes_skipped'] > 0
    # Clean again: everything works and nothing is left over.
    end.damage = None
    server._link.stream.damage = None
    assert fx.add(1, 1) == 2


def test_hostile_frames_are_rejected():
    client, server, end, fx = setup()
    send_end = server._link.stream
    c2s = send_end.inbox
    # A valid header announcing a body far beyond max_body.
    hdr = bytearray(_urpc.frame(_urpc.REQUEST, 900, b'')[:10])
    hdr[5:8] = b'\xff\xff\xff'
    c2s.extend(hdr[:8] + _crc16(hdr[:8]))
    # A frame with a bad body CRC.
    bad = bytearray(_urpc.frame(_urpc.REQUEST, 901, msgpack.packb([9, None])))
    bad[-1] ^= 0xff
    c2s.extend(bad)
    # Garbage.
    c2s.extend(b'\xb7\x5e\x00garbage' * 10)
    server.poll(0)
    assert server._link.deframer.dropped >= 2
    assert fx.add(1, 2) == 3                     # the link is fine
    # Well-framed nonsense: an unknown operation, a body that is not a list,
    # not MessagePack, a reference never given out, another protocol.
    bodies = (msgpack.packb([99, None]), msgpack.packb({'x': 1}), b'\xc1',
              msgpack.packb([4, None, msgpack.ExtType(100, b'\0\0\x99\x99'), []]),
              msgpack.packb([0, None, urpc.PROTOCOL + 1, 4096]))
    errors = server.counts['errors']
    for i, body in enumerate(bodies):
        c2s.extend(_urpc.frame(_urpc.REQUEST, 950 + i, body))
        server.poll(0)
        replies = end.inbox
        assert len(replies) > 0
        assert replies.data[2] & 0x0f == _urpc.ERROR
        replies.clear()
    assert server.counts['errors'] == errors + len(bodies)
    assert fx.add(2, 2) == 4


def _crc16(data):
    crc = 0xffff
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xffff if crc & 0x8000 else (crc << 1) & 0xffff
    return bytes([crc & 0xff, crc >> 8])


def test_stats():
    client, server, end, fx = setup()
    fx.add(0, 0)                                # the module's methods are known now
    before = client.stats()
    kept = [fx.new_object() for _ in range(3)]  # one round trip each
    s = client.stats()
    assert s['calls'] == before['calls'] + 3 and s['live'] == before['live'] + 3
    assert s['frames_dropped'] == 0 and s['retries'] == 0 and s['timeouts'] == 0
    del kept[:]
    gc.collect()
    client.flush()
    s = client.stats()
    assert s['live'] == before['live'] and s['releases_sent'] == before['releases_sent'] + 3
    assert s['bytes_out'] > before['bytes_out'] and s['bytes_in'] > before['bytes_in']
