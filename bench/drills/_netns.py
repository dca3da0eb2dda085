"""Worker hosts in their own network namespaces: separate machines on one private LAN.

A bridge in the root namespace carries the studio's address, 10.231.N.1/24; PostgreSQL, Redis and
the sandbox listen on it (as well as on 127.0.0.1). Each host is a namespace `drill-<pid>-<host>`
plugged into the bridge by its own veth pair (10.231.N.10, .11, ...). One address on a bridge
rather than a /30 per host, so every process, hosts and the drill itself, uses the same URLs. A
namespace has only `lo` and that link, so a host reaches the services over the "network", never
through the root namespace's loopback. Needs root and iproute2 (`ip`).
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True)


def unavailable_reason() -> str | None:
    """None when this machine lets us create namespaces, else why not (for the printed note)."""
    if os.geteuid() != 0:
        return "not running as root"
    if shutil.which("ip") is None:
        return "`ip` (iproute2) is not installed"
    probe = f"drill-{os.getpid()}-probe"
    try:
        _ip("netns", "add", probe)
    except subprocess.CalledProcessError as error:
        return f"`ip netns add` failed: {error.stderr.strip()}"
    _ip("netns", "delete", probe)
    return None


def _free_subnet() -> int:
    """N for 10.231.N.0/24, not used by an interface already (another drill running, say)."""
    shown = subprocess.run(["ip", "-o", "-4", "addr"], capture_output=True, text=True).stdout
    for step in range(256):
        subnet = (os.getpid() + step) % 256
        if f" 10.231.{subnet}." not in shown:
            return subnet
    raise RuntimeError("no free 10.231.N.0/24 subnet")


class HostNetwork:
    def __init__(self) -> None:
        self.tag = str(os.getpid())  # names stay unique per drill and at most 15 characters
        self.subnet = _free_subnet()
        self.address = f"10.231.{self.subnet}.1"
        self.bridge = f"drbr{self.tag}"
        self.namespaces: list[str] = []
        atexit.register(self.close)  # also when the drill fails before PrivateStudio.close runs
        _ip("link", "add", self.bridge, "type", "bridge")
        _ip("addr", "add", f"{self.address}/24", "dev", self.bridge)
        _ip("link", "set", self.bridge, "up")

    def add_host(self, name: str) -> list[str]:
        """A namespace for `name`, linked to the bridge; returns the prefix that runs in it."""
        namespace = f"drill-{self.tag}-{name}"
        index = len(self.namespaces)
        outside = f"dr{self.tag}h{index}"
        _ip("netns", "add", namespace)
        self.namespaces.append(namespace)
        # The pair is born with its inner end already inside the namespace, named eth0 there.
        _ip("link", "add", outside, "type", "veth", "peer", "name", "eth0", "netns", namespace)
        _ip("link", "set", outside, "master", self.bridge, "up")
        inside = f"10.231.{self.subnet}.{10 + index}/24"
        _ip("-n", namespace, "addr", "add", inside, "dev", "eth0")
        _ip("-n", namespace, "link", "set", "eth0", "up")
        _ip("-n", namespace, "link", "set", "lo", "up")
        # `ip netns exec` execs the command itself: the pid we get is the worker's, so SIGKILL
        # to its process group still kills the host as before.
        return ["ip", "netns", "exec", namespace]

    def close(self) -> None:
        """Delete the namespaces (which deletes their veth pairs) and the bridge; idempotent."""
        for namespace in self.namespaces:
            subprocess.run(["ip", "netns", "delete", namespace], capture_output=True)
        self.namespaces = []
        if self.bridge:
            subprocess.run(["ip", "link", "delete", self.bridge], capture_output=True)
            self.bridge = ""
