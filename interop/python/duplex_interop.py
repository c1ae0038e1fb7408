"""A small Duplex client written from PROTOCOL.md alone (Python standard library + websockets).

One `Connection` is one WebSocket on `/ws`. Every frame the server sends is kept, in arrival
order, in `Connection.log`; frames not yet taken by a test wait in an inbox. `request` sends a
frame with a fresh `id` and returns the reply carrying that `id`, leaving every other frame in
the inbox, so a test can still check what arrived before or after the reply.
"""

import asyncio
import json
import re
import urllib.error
import urllib.parse
import urllib.request

import websockets

PROTOCOL_VERSION = 1
# PROTOCOL.md: no server frame on /ws is larger than 1 MiB, so a 1 MiB receive limit never fails.
MAX_SERVER_FRAME_BYTES = 1048576
DEFAULT_TIMEOUT_S = 10.0
ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


class ErrorReply(Exception):
    """The server answered a request with an `error` frame."""

    def __init__(self, frame):
        self.frame = frame
        self.code = frame["data"].get("code")
        super().__init__(f"{self.code}: {frame['data'].get('message')}")


class Closed(Exception):
    """The connection closed while a frame was awaited."""

    def __init__(self, code):
        self.code = code
        super().__init__(f"connection closed with code {code}")


def ws_url(base_url, path="/ws"):
    parts = urllib.parse.urlsplit(base_url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return urllib.parse.urlunsplit((scheme, parts.netloc, path, "", ""))


class Connection:
    def __init__(self, socket):
        self._socket = socket
        self.log = []
        self._inbox = []
        self._arrived = asyncio.Event()
        self._next_id = 0
        self.close_code = None
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def open(cls, base_url, path="/ws"):
        socket = await websockets.connect(
            ws_url(base_url, path), max_size=MAX_SERVER_FRAME_BYTES, open_timeout=DEFAULT_TIMEOUT_S
        )
        return cls(socket)

    async def _read(self):
        try:
            async for message in self._socket:
                frame = parse_frame(message)
                self.log.append(frame)
                self._inbox.append(frame)
                self._arrived.set()
        except websockets.ConnectionClosed:
            pass
        finally:
            self.close_code = self._socket.close_code
            self._arrived.set()

    @property
    def is_closed(self):
        return self.close_code is not None

    # --- sending --------------------------------------------------------------------------

    def new_id(self):
        self._next_id += 1
        return str(self._next_id)

    async def send_raw(self, message):
        """Sends one text (str) or binary (bytes) frame as given."""
        await self._socket.send(message)

    async def send(self, event, data, id=None):
        frame = {"event": event, "data": data}
        if id is not None:
            frame["id"] = id
        await self.send_raw(json.dumps(frame))

    async def request(self, event, data, timeout=DEFAULT_TIMEOUT_S):
        """Sends `event` with a fresh id; returns the reply frame (`ack` or `error`)."""
        id = self.new_id()
        await self.send(event, data, id)
        return await self.take(lambda f: is_reply(f) and f.get("id") == id, timeout)

    async def call(self, event, data, timeout=DEFAULT_TIMEOUT_S):
        """Like `request`, but returns the ack's data and raises `ErrorReply` on an error."""
        reply = await self.request(event, data, timeout)
        if reply["event"] == "error":
            raise ErrorReply(reply)
        return reply["data"]

    # --- receiving ------------------------------------------------------------------------

    async def take(self, matches, timeout=DEFAULT_TIMEOUT_S):
        """Removes and returns the first inbox frame for which `matches(frame)` holds."""

        async def first_match():
            while True:
                for index, frame in enumerate(self._inbox):
                    if matches(frame):
                        return self._inbox.pop(index)
                if self.is_closed:
                    raise Closed(self.close_code)
                self._arrived.clear()
                await self._arrived.wait()

        return await asyncio.wait_for(first_match(), timeout)

    async def next_event(self, event, matches=lambda frame: True, timeout=DEFAULT_TIMEOUT_S):
        return await self.take(lambda f: is_event(f, event) and matches(f), timeout)

    def drain(self):
        """Removes and returns every frame waiting in the inbox."""
        frames, self._inbox = self._inbox, []
        return frames

    async def barrier(self, timeout=DEFAULT_TIMEOUT_S):
        """Sends a `ping` and returns every frame that arrived before its ack (taking them).

        Replies leave in the order their frames arrived, so the ack proves that everything
        the server had to send on this connection for earlier frames was sent before it.
        """
        id = self.new_id()
        await self.send("ping", {}, id)
        ack = await self.take(lambda f: is_reply(f) and f.get("id") == id, timeout)
        if ack["event"] != "ack":
            raise ErrorReply(ack)
        position = index_in(self.log, ack)
        before = [f for f in self._inbox if index_in(self.log, f) < position]
        self._inbox = [f for f in self._inbox if index_in(self.log, f) > position]
        return before

    async def wait_closed(self, timeout=DEFAULT_TIMEOUT_S):
        """Waits for the server to close the connection; returns the close code."""
        await asyncio.wait_for(asyncio.shield(self._reader), timeout)
        return self.close_code

    def arrived_before(self, first, second):
        return index_in(self.log, first) < index_in(self.log, second)

    # --- session --------------------------------------------------------------------------

    async def hello(self, name, identity=None, resume=None):
        """Sends `hello`; returns the ack's data, raises `ErrorReply` on an error."""
        return await self.call("hello", hello_data(name, identity, resume))

    async def hello_reply(self, name, identity=None, resume=None):
        """Sends `hello`; returns the reply frame, `ack` or `error`."""
        return await self.request("hello", hello_data(name, identity, resume))

    async def close(self):
        await self._socket.close()
        await asyncio.shield(self._reader)


def parse_frame(message):
    """A text frame's JSON value; a binary frame, or text that is not JSON, is kept as received."""
    if isinstance(message, bytes):
        return message
    try:
        return json.loads(message)
    except ValueError:
        return message


def hello_data(name, identity=None, resume=None):
    data = {"protocol": PROTOCOL_VERSION, "name": name}
    if identity is not None:
        data["identity"] = identity
    if resume is not None:
        data["resume"] = resume
    return data


def is_reply(frame):
    return isinstance(frame, dict) and frame.get("event") in ("ack", "error")


def is_event(frame, event):
    return isinstance(frame, dict) and frame.get("event") == event


def index_in(log, frame):
    for index, logged in enumerate(log):
        if logged is frame:
            return index
    raise ValueError("frame not in this connection's log")


# --- presence -------------------------------------------------------------------------------

PRESENCE_EVENTS = ("presence.joined", "presence.left", "presence.diff")
# PROTOCOL.md: changes within 100 ms of a room's last presence frame (longer in rooms of more
# than 500 members, which these tests do not make) are sent together as one presence.diff, which
# names at most 20 users per list (`presenceDiffMaxUsers`).
PRESENCE_COALESCE_S = 0.1
PRESENCE_DIFF_MAX_USERS = 20


class BadFrame(AssertionError):
    """A server frame whose data does not have the shape PROTOCOL.md gives its event."""


def _require(condition, frame, what):
    if not condition:
        raise BadFrame(f"{what}: {frame!r}")


def _is_count(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _user_id(frame, user):
    """`user`'s userId after checking it is a `User` (fields it does not know are ignored)."""
    _require(isinstance(user, dict), frame, "a User is an object")
    _require(isinstance(user.get("userId"), str) and user["userId"], frame, "User.userId")
    _require(isinstance(user.get("name"), str) and user["name"], frame, "User.name")
    return user["userId"]


class PresenceChange(tuple):
    """One presence frame as a `(joined userIds, left userIds, online)` tuple.

    It unpacks and compares as that 3-tuple; the counts are attributes: `joined_count` and
    `left_count` (a diff's `joinedCount` and `leftCount`; 1 and 0, or 0 and 1, for
    `presence.joined` and `presence.left`), `event`, and `frame`, the frame itself.
    `has_counts` is false for a `presence.diff` sent without the counts (before revision 2's
    cap); its counts are then the lengths of its lists.
    """

    def __new__(cls, joined, left, online, joined_count, left_count, event, frame, has_counts):
        change = super().__new__(cls, (joined, left, online))
        change.joined_count = joined_count
        change.left_count = left_count
        change.event = event
        change.frame = frame
        change.has_counts = has_counts
        return change

    @property
    def joined(self):
        return self[0]

    @property
    def left(self):
        return self[1]

    @property
    def online(self):
        return self[2]

    @property
    def unnamed_joined(self):
        return self.joined_count - len(self.joined)

    @property
    def unnamed_left(self):
        return self.left_count - len(self.left)

    def __repr__(self):
        def named(ids, count):
            shown = ids if len(ids) <= 3 else ids[:3] + [f"... {len(ids)} named"]
            return f"{shown} of {count}"

        return (
            f"PresenceChange({self.event}, joined={named(self.joined, self.joined_count)}, "
            f"left={named(self.left, self.left_count)}, online={self.online})"
        )


def is_presence(frame, room):
    return (
        isinstance(frame, dict)
        and frame.get("event") in PRESENCE_EVENTS
        and isinstance(frame.get("data"), dict)
        and frame["data"].get("room") == room
    )


def presence_change(frame):
    """A presence frame as a `PresenceChange`, whichever form it took; `BadFrame` if malformed.

    Fields of `data` it does not know are ignored (PROTOCOL.md: a later revision may add some).
    """
    _require(isinstance(frame, dict) and frame.get("event") in PRESENCE_EVENTS, frame, "presence")
    data = frame.get("data")
    _require(isinstance(data, dict), frame, "data is an object")
    _require(isinstance(data.get("room"), str), frame, "data.room")
    online = data.get("online")
    _require(_is_count(online), frame, "data.online is an integer >= 0")
    event = frame["event"]
    if event in ("presence.joined", "presence.left"):
        user_id = _user_id(frame, data.get("user"))
        if event == "presence.joined":
            _require(online >= 1, frame, "online counts the user who joined")
            return PresenceChange([user_id], [], online, 1, 0, event, frame, True)
        return PresenceChange([], [user_id], online, 0, 1, event, frame, True)
    lists = {}
    for key in ("joined", "left"):
        _require(isinstance(data.get(key), list), frame, f"data.{key} is a list")
        lists[key] = [_user_id(frame, user) for user in data[key]]
        _require(len(set(lists[key])) == len(lists[key]), frame, f"data.{key} names a user once")
    # Revision 2 sends both counts; a diff with neither is read as naming everyone.
    has_counts = "joinedCount" in data or "leftCount" in data
    counts = {}
    for key, count_key in (("joined", "joinedCount"), ("left", "leftCount")):
        count = data.get(count_key) if has_counts else len(lists[key])
        _require(_is_count(count), frame, f"data.{count_key} is an integer >= 0")
        _require(count >= len(lists[key]), frame, f"data.{count_key} >= len(data.{key})")
        counts[key] = count
    return PresenceChange(
        lists["joined"],
        lists["left"],
        online,
        counts["joined"],
        counts["left"],
        event,
        frame,
        has_counts,
    )


async def presence_until(conn, room, done, timeout=DEFAULT_TIMEOUT_S):
    """Takes `room`'s presence frames in order until `done(joined, left, online)` holds for one.

    Returns every change taken, the last one included, as `PresenceChange` tuples.
    """
    changes = []
    while True:
        frame = await conn.take(lambda f: is_presence(f, room), timeout)
        change = presence_change(frame)
        changes.append(change)
        if done(*change):
            return changes


class MemberList:
    """The list of a room's members a client keeps, as PROTOCOL.md describes it.

    Starts from a `room.join` ack; `apply` adds the users a presence change names as joined and
    removes those named as left (a user named as joined who is listed takes the name given;
    `rename` applies a `presence.renamed`), and returns True when some left unnamed (`leftCount >
    len(left)`): the client must then send `room.join` again (with `since`, after a random delay
    of up to the room's presence window, which these tests skip) and `reset` the list from that
    ack. Users who joined unnamed are counted in `online` but not listed.
    """

    def __init__(self, join_ack):
        self.reset(join_ack)

    def reset(self, join_ack):
        self.members = {user["userId"]: user for user in join_ack["members"]}
        self.online = join_ack["online"]
        self.stale = False

    def apply(self, change):
        data = change.frame["data"]
        if change.event == "presence.joined":
            self.members[data["user"]["userId"]] = data["user"]
        elif change.event == "presence.diff":
            self.members.update((user["userId"], user) for user in data["joined"])
        for user_id in change.left:
            self.members.pop(user_id, None)
        self.online = change.online
        if change.left_count > len(change.left):
            self.stale = True
        return self.stale

    def rename(self, frame):
        """Applies a `presence.renamed` frame: a listed member takes the new name."""
        user = frame["data"]["user"]
        if _user_id(frame, user) in self.members:
            self.members[user["userId"]] = user


# --- HTTP -----------------------------------------------------------------------------------


def http_get(base_url, path):
    """GET `path` on the api; returns `(status, parsed JSON body or raw text)`."""
    url = base_url.rstrip("/") + path
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=DEFAULT_TIMEOUT_S) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    text = body.decode("utf-8")
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


async def http_get_async(base_url, path):
    return await asyncio.to_thread(http_get, base_url, path)
