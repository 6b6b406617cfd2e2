# SPDX-License-Identifier: MIT
"""An in-memory urpc link for tests on any runtime: the client's end pumps
the server while it waits, so client and server run in one thread. Bytes can
be damaged on the way (flipped or dropped) at a given rate, reproducibly."""
try:
    from time import sleep_ms
except ImportError:
    import time

    def sleep_ms(ms):
        time.sleep(ms / 1000)


class Rng:
    """xorshift32: the same sequence on every runtime."""

    def __init__(self, seed):
        self.x = seed or 1

    def next(self):
        x = self.x
        x ^= (x << 13) & 0xffffffff
        x ^= x >> 17
        x ^= (x << 5) & 0xffffffff
        self.x = x
        return x


class Pipe:
    """Bytes in flight one way (MicroPython's bytearray has no slice deletion)."""

    def __init__(self):
        self.data = b''

    def extend(self, data):
        self.data += data

    def take(self, n):
        out = self.data[:n]
        self.data = self.data[n:]
        return out

    def clear(self):
        self.data = b''

    def __len__(self):
        return len(self.data)


class End:
    """One end: read/write on two byte queues, and urpc_wait()."""

    def __init__(self, inbox, outbox, damage=None):
        self.inbox = inbox
        self.outbox = outbox
        self.damage = damage      # (rng, per-mille) for bytes this end writes
        self.pump = None          # called while waiting (the other end's server)

    def write(self, data):
        data = bytes(data)
        n = len(data)
        if self.damage is not None:
            rng, per_mille = self.damage
            out = bytearray()
            for b in data:
                r = rng.next() % 1000
                if r < per_mille // 2:
                    out.append(b ^ (1 << (rng.next() % 8)))   # flipped
                elif r < per_mille:
                    continue                                  # dropped
                else:
                    out.append(b)
            data = bytes(out)
        self.outbox.extend(data)
        return n

    def read(self, n):
        return self.inbox.take(n)

    def urpc_wait(self, timeout_ms):
        if not self.inbox and self.pump is not None:
            self.pump()
        if not self.inbox and timeout_ms > 0:
            sleep_ms(min(timeout_ms, 2))
        return len(self.inbox) > 0


def link(damage_per_mille=0, seed=1):
    """Two connected ends (client, server)."""
    c2s, s2c = Pipe(), Pipe()
    rng = Rng(seed)
    d = (rng, damage_per_mille) if damage_per_mille else None
    return End(s2c, c2s, d), End(c2s, s2c, d)


def pair(urpc, damage_per_mille=0, seed=1, allow=('urpc_fixture', 'gc'), timeout=2.0, **server_kw):
    """A Client and a Server on one in-memory link; the server runs whenever
    the client waits. Returns (client, server, client_end)."""
    cend, send = link(damage_per_mille, seed)
    server = urpc.Server(send, allow=allow, **server_kw)
    cend.pump = lambda: server.poll(0)
    client = urpc.Client(cend, timeout=timeout, retry=0.05)
    return client, server, cend
