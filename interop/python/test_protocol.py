"""Duplex protocol cases, each asserting what PROTOCOL.md promises, run by `unittest`.

Environment:
  DUPLEX_URL              base URL of a running api, e.g. http://127.0.0.1:3001 (required)
  DUPLEX_RESTART_COMMAND  a shell command that restarts that api with the same data directory
                          and returns once it is ready; without it the restart cases are skipped
  DUPLEX_REPORT           where to write the JSON report {passed, failed, skipped, tests}

Run: DUPLEX_URL=... /usr/bin/python3 test_protocol.py [-v] [TestCase[.test_name] ...]
"""

import asyncio
import datetime
import json
import os
import subprocess
import sys
import unittest
import urllib.parse
import uuid

from duplex_interop import (
    ISO_TIME,
    MAX_SERVER_FRAME_BYTES,
    PRESENCE_DIFF_MAX_USERS,
    Connection,
    MemberList,
    http_get_async,
    is_event,
    presence_until,
)

BASE_URL = os.environ.get("DUPLEX_URL", "")
RESTART_COMMAND = os.environ.get("DUPLEX_RESTART_COMMAND", "")
MAX_SAFE_INTEGER = 9007199254740991
# Hundreds of durable writes at once can take a while on a busy machine.
FILL_TIMEOUT_S = 60


def unique_room(prefix="interop"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def unique_client_id():
    return f"py-{uuid.uuid4().hex}"


def wire_size(frame):
    """Bytes of `frame` as JSON.stringify would write it (UTF-8, no spaces)."""
    return len(json.dumps(frame, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def chat(room, text, client_id=None):
    """`chat.send` data; a fresh `clientId` unless one is given (a retry)."""
    return {"room": room, "clientId": client_id or unique_client_id(), "text": text}


class ProtocolTestCase(unittest.IsolatedAsyncioTestCase):
    """Opens connections to the api under test and closes them after each test."""

    def setUp(self):
        if not BASE_URL:
            self.fail("DUPLEX_URL is not set")

    async def asyncSetUp(self):
        # The test loop runs in debug mode; only callbacks slower than this are worth a warning.
        asyncio.get_running_loop().slow_callback_duration = 1.0

    async def connect(self, path="/ws"):
        conn = await Connection.open(BASE_URL, path)
        self.addAsyncCleanup(conn.close)
        return conn

    async def user(self, name, **hello):
        """A connection with a successful hello; returns `(connection, hello ack data)`."""
        conn = await self.connect()
        ack = await conn.hello(name, **hello)
        return conn, ack

    async def joined(self, name, room, **hello):
        conn, ack = await self.user(name, **hello)
        join = await conn.call("room.join", {"room": room})
        return conn, ack, join

    async def http(self, path):
        return await http_get_async(BASE_URL, path)

    def assert_iso_time(self, value):
        self.assertIsInstance(value, str)
        self.assertRegex(value, ISO_TIME)

    def assert_error(self, frame, code, *, id=None, fields=None):
        """`frame` is an `error` with `code`, and `details` exactly when `fields` is given."""
        self.assertEqual(frame["event"], "error", frame)
        self.assertEqual(frame["data"]["code"], code, frame)
        self.assertIsInstance(frame["data"]["message"], str)
        if id is None:
            self.assertNotIn("id", frame)
        else:
            self.assertEqual(frame.get("id"), id)
        if fields is None:
            self.assertNotIn("details", frame["data"], frame)
        else:
            self.assertEqual(sorted(frame["data"]["details"]["fields"]), sorted(fields), frame)

    def assert_user(self, user, user_id, name):
        self.assertEqual(user, {"userId": user_id, "name": name})

    def assert_text_message(self, message, *, room, seq, client_id, sender, text, ts=None):
        self.assertEqual(message["room"], room)
        self.assertEqual(message["seq"], seq)
        self.assertEqual(message["clientId"], client_id)
        self.assertEqual(message["from"], sender)
        self.assertEqual(message["text"], text)
        self.assertIn(message.get("kind", "text"), ("text",))
        self.assert_iso_time(message["ts"])
        if ts is not None:
            self.assertEqual(message["ts"], ts)


# --- session --------------------------------------------------------------------------------


class HelloTest(ProtocolTestCase):
    async def test_ack_has_every_field_of_a_new_session(self):
        conn = await self.connect()
        before = datetime.datetime.now(datetime.timezone.utc)
        ack = await conn.hello("  Ada  ")
        after = datetime.datetime.now(datetime.timezone.utc)

        self.assertIsInstance(ack["userId"], str)
        self.assertTrue(ack["userId"])
        self.assertEqual(ack["name"], "Ada")
        self.assertIsInstance(ack["identity"], str)
        self.assertTrue(0 < len(ack["identity"]) <= 512)
        self.assertIsInstance(ack["resume"], str)
        self.assertTrue(ack["resume"])
        self.assertIs(ack["resumed"], False)
        self.assertEqual(ack["rooms"], [])
        self.assertIsInstance(ack["iceServers"], list)
        limits = ack["limits"]
        self.assertEqual(limits["maxServerFrameBytes"], MAX_SERVER_FRAME_BYTES)
        for key in ("maxFrameBytes", "messagesPerSecond", "burst", "maxTextChars"):
            self.assertIsInstance(limits[key], int, key)
            self.assertGreater(limits[key], 0, key)
        self.assert_iso_time(ack["serverTime"])
        server_time = datetime.datetime.fromisoformat(ack["serverTime"].replace("Z", "+00:00"))
        slack = datetime.timedelta(seconds=30)
        self.assertTrue(before - slack <= server_time <= after + slack, ack["serverTime"])

    async def test_identity_on_a_new_connection_is_the_same_user(self):
        _, first = await self.user("Ada")
        _, second = await self.user("Ada Lovelace", identity=first["identity"])
        self.assertEqual(second["userId"], first["userId"])
        self.assertEqual(second["name"], "Ada Lovelace")
        self.assertIs(second["resumed"], False)
        self.assertEqual(second["rooms"], [])
        self.assertNotEqual(second["resume"], first["resume"])
        # The identity handed back by the second ack stands for the same user too.
        _, third = await self.user("Ada", identity=second["identity"])
        self.assertEqual(third["userId"], first["userId"])

    async def test_an_identity_that_is_not_valid_makes_a_new_user_without_error(self):
        _, first = await self.user("Ada")
        identity = first["identity"]
        # The first character is significant in any encoding; trailing ones may carry unused bits.
        tampered = ("B" if identity[0] == "A" else "A") + identity[1:]
        cases = {
            "tampered": tampered,
            "truncated": identity[:-4],
            "garbage": "not-an-identity",
            "over 512 characters": "x" * 513,
            "not a string": 12345,
            "null": None,
        }
        for label, value in cases.items():
            with self.subTest(label):
                conn = await self.connect()
                data = {"protocol": 1, "name": "Mallory", "identity": value}
                reply = await conn.request("hello", data)
                self.assertEqual(reply["event"], "ack", reply)
                ack = reply["data"]
                self.assertNotEqual(ack["userId"], first["userId"])
                self.assertIsInstance(ack["identity"], str)
                self.assertNotEqual(ack["identity"], identity)
                self.assertIs(ack["resumed"], False)

    async def test_unknown_resume_token_is_resume_expired_and_hello_may_be_sent_again(self):
        conn = await self.connect()
        reply = await conn.hello_reply("Ada", resume="no-such-token")
        self.assert_error(reply, "resume_expired", id=reply["id"])
        ack = await conn.hello("Ada")
        self.assertIsInstance(ack["userId"], str)

    async def test_second_hello_is_bad_message_without_details(self):
        conn, _ = await self.user("Ada")
        reply = await conn.request("hello", {"protocol": 1, "name": "Ada"})
        self.assert_error(reply, "bad_message", id=reply["id"])

    async def test_other_protocol_version_is_unsupported_then_closed_4002(self):
        conn = await self.connect()
        reply = await conn.request("hello", {"protocol": 2, "name": "Ada"})
        self.assert_error(reply, "unsupported_protocol", id=reply["id"])
        self.assertEqual(await conn.wait_closed(), 4002)


# --- rooms and chat -------------------------------------------------------------------------


class RoomChatTest(ProtocolTestCase):
    async def test_two_users_join_chat_both_ways_and_type(self):
        room = unique_room()
        ada, ada_hello = await self.user("Ada")
        bob, bob_hello = await self.user("Bob")
        ada_user = {"userId": ada_hello["userId"], "name": "Ada"}
        bob_user = {"userId": bob_hello["userId"], "name": "Bob"}

        ada_join = await ada.call("room.join", {"room": room})
        self.assertEqual(ada_join["room"], room)
        self.assertEqual(ada_join["members"], [ada_user])
        self.assertEqual(ada_join["online"], 1)
        self.assertEqual(ada_join["history"], [])
        self.assertEqual(ada_join["lastSeq"], 0)
        self.assertIs(ada_join["recovered"], False)

        bob_join = await bob.call("room.join", {"room": room})
        self.assertEqual(bob_join["members"][0], bob_user, "the joiner comes first")
        self.assertCountEqual(bob_join["members"], [bob_user, ada_user])
        self.assertEqual(bob_join["online"], 2)
        self.assertEqual(bob_join["lastSeq"], 0)

        (change,) = await presence_until(ada, room, lambda joined, left, online: True)
        self.assertEqual(change, ([bob_user["userId"]], [], 2))

        # Both ways; each sender's ack {seq, ts} comes before its own chat.message.
        seq = 0
        for sender, sender_user, receiver, text in (
            (ada, ada_user, bob, "  hello Bob  "),
            (bob, bob_user, ada, "hi Ada\n\tline two"),
            (ada, ada_user, bob, "third"),
        ):
            client_id = unique_client_id()
            reply = await sender.request("chat.send", chat(room, text, client_id))
            self.assertEqual(reply["event"], "ack", reply)
            self.assertEqual(set(reply["data"]), {"seq", "ts"})
            seq += 1
            self.assertEqual(reply["data"]["seq"], seq, "seq grows by exactly 1 from 1")
            self.assert_iso_time(reply["data"]["ts"])
            for conn in (sender, receiver):
                message = await conn.next_event("chat.message", lambda f: f["data"]["room"] == room)
                self.assert_text_message(
                    message["data"],
                    room=room,
                    seq=seq,
                    client_id=client_id,
                    sender=sender_user,
                    text=text,
                    ts=reply["data"]["ts"],
                )
            own = [f for f in sender.log if is_event(f, "chat.message") and f["data"]["seq"] == seq]
            self.assertTrue(sender.arrived_before(reply, own[0]), "ack before own chat.message")

        # Typing reaches the other member, not the typist.
        ack = await ada.call("chat.typing", {"room": room, "typing": True})
        self.assertEqual(ack, {})
        typing = await bob.next_event("chat.typing")
        self.assertEqual(typing["data"], {"room": room, "user": ada_user, "typing": True})
        self.assertEqual([f for f in await ada.barrier() if is_event(f, "chat.typing")], [])

    async def test_retry_with_the_same_client_id_returns_the_first_seq_and_is_not_broadcast(self):
        room = unique_room()
        ada, ada_hello, _ = await self.joined("Ada", room)
        bob, _, _ = await self.joined("Bob", room)
        client_id = unique_client_id()

        first = await ada.call("chat.send", chat(room, "once", client_id))
        again = await ada.call("chat.send", chat(room, "other text", client_id))
        self.assertEqual(again, first)
        later = await ada.call("chat.send", chat(room, "next"))
        self.assertEqual(later["seq"], first["seq"] + 1)

        # Each connection receives a room's messages in increasing seq, so everything up to the
        # next message's chat.message shows whether the retry was broadcast again.
        for conn in (ada, bob):
            seqs = []
            while not seqs or seqs[-1] != later["seq"]:
                message = await conn.next_event("chat.message", lambda f: f["data"]["room"] == room)
                seqs.append(message["data"]["seq"])
            self.assertEqual(seqs, [first["seq"], later["seq"]])
            later_frames = [f for f in await conn.barrier() if is_event(f, "chat.message")]
            self.assertEqual(later_frames, [], "no second broadcast")

    async def test_chat_and_leave_outside_a_joined_room_are_not_in_room(self):
        conn, _ = await self.user("Ada")
        room = unique_room()
        reply = await conn.request("chat.send", chat(room, "hi", "c-1"))
        self.assert_error(reply, "not_in_room", id=reply["id"])
        reply = await conn.request("chat.typing", {"room": room, "typing": True})
        self.assert_error(reply, "not_in_room", id=reply["id"])
        reply = await conn.request("room.leave", {"room": room})
        self.assert_error(reply, "not_in_room", id=reply["id"])

    async def test_join_since_recovers_exactly_the_missed_messages(self):
        room = unique_room()
        ada, _, _ = await self.joined("Ada", room)
        sent = []
        for index in range(4):
            ack = await ada.call("chat.send", chat(room, f"m{index}"))
            sent.append(ack["seq"])
        bob, bob_hello, join = await self.joined("Bob", room)
        self.assertEqual([m["seq"] for m in join["history"]], sent)
        self.assertIs(join["recovered"], False)
        again = await bob.call("room.join", {"room": room, "since": sent[1]})
        self.assertEqual([m["seq"] for m in again["history"]], sent[2:])
        self.assertIs(again["recovered"], True)
        self.assertEqual(again["lastSeq"], sent[-1])
        past_the_end = await bob.call("room.join", {"room": room, "since": sent[-1] + 10})
        self.assertIs(past_the_end["recovered"], False)
        self.assertEqual([m["seq"] for m in past_the_end["history"]], sent)
        # Joining again is allowed and announces nobody: up to Cleo's arrival (presence frames of
        # a room arrive in order), Ada saw Bob join once.
        _, cleo_hello, _ = await self.joined("Cleo", room)
        cleo_id = cleo_hello["userId"]
        changes = await presence_until(ada, room, lambda joined, left, online: cleo_id in joined)
        self.assertEqual(sum(joined.count(bob_hello["userId"]) for joined, _, _ in changes), 1)
        self.assertEqual([left for _, left, _ in changes], [[] for _ in changes])
        self.assertEqual(changes[-1][2], 3)

    async def test_a_history_too_large_for_one_frame_holds_the_newest_messages_that_fit(self):
        # Text is stored as sent, so white space around a short text makes a large message;
        # 20 of about 60 KB pass the 1 MiB bound of a server frame.
        room = unique_room()
        ada, _, _ = await self.joined("Ada", room)
        for index in range(20):
            await ada.call("chat.send", chat(room, f"big {index}" + " " * 60000))
        bob = await self.connect()
        await bob.hello("Bob")
        for since in (None, 0):
            with self.subTest(since=since):
                data = {"room": room} if since is None else {"room": room, "since": since}
                join = await bob.call("room.join", data)
                seqs = [message["seq"] for message in join["history"]]
                self.assertIs(join["recovered"], False)
                self.assertEqual(join["lastSeq"], 20)
                self.assertTrue(0 < len(seqs) < 20, seqs)
                self.assertEqual(seqs, list(range(21 - len(seqs), 21)), "the newest, in order")
                # The next older message would not have fitted.
                status, older = await self.http(f"/api/rooms/{room}/messages?before={seqs[0]}&limit=1")
                self.assertEqual(status, 200)
                ack = {"event": "ack", "id": "1", "data": join}
                with_older = {**ack, "data": {**join, "history": older + join["history"]}}
                self.assertLessEqual(wire_size(ack), MAX_SERVER_FRAME_BYTES)
                self.assertGreater(wire_size(with_older), MAX_SERVER_FRAME_BYTES)


# --- resume ---------------------------------------------------------------------------------


class ResumeTest(ProtocolTestCase):
    async def test_resume_within_grace_restores_rooms_without_leaving_and_recovers_once(self):
        room = unique_room()
        ada, ada_hello, _ = await self.joined("Ada", room)
        bob, bob_hello, _ = await self.joined("Bob", room)
        ada_id, bob_id = ada_hello["userId"], bob_hello["userId"]
        await presence_until(ada, room, lambda joined, left, online: bob_id in joined)
        seen = await ada.call("chat.send", chat(room, "before"))
        await ada.next_event("chat.message", lambda f: f["data"]["seq"] == seen["seq"])
        await bob.next_event("chat.message", lambda f: f["data"]["seq"] == seen["seq"])

        await ada.close()
        missed = []
        for text in ("while away 1", "while away 2"):
            ack = await bob.call("chat.send", chat(room, text))
            missed.append(ack["seq"])

        ada2 = await self.connect()
        resumed = await ada2.hello("Ignored Name", resume=ada_hello["resume"])
        self.assertEqual(resumed["userId"], ada_id)
        self.assertEqual(resumed["name"], "Ada")
        self.assertIs(resumed["resumed"], True)
        self.assertEqual(resumed["rooms"], [room])
        self.assertNotEqual(resumed["resume"], ada_hello["resume"])

        # A third user joining is the barrier: presence frames of a room arrive in order, so
        # Bob would have seen Ada leave before Cleo joined.
        cleo, cleo_hello, cleo_join = await self.joined("Cleo", room)
        self.assertEqual(cleo_join["online"], 3)
        cleo_id = cleo_hello["userId"]
        changes = await presence_until(bob, room, lambda joined, left, online: cleo_id in joined)
        self.assertFalse(any(ada_id in left for _, left, _ in changes), changes)
        self.assertEqual(changes[-1][2], 3)

        recovery = await ada2.call("room.join", {"room": room, "since": seen["seq"]})
        self.assertIs(recovery["recovered"], True)
        self.assertEqual([m["seq"] for m in recovery["history"]], missed)
        self.assertEqual(recovery["lastSeq"], missed[-1])
        # Live frames continue where the history ended: the missed messages do not come twice.
        after = await bob.call("chat.send", chat(room, "back"))
        message = await ada2.next_event("chat.message", lambda f: f["data"]["room"] == room)
        self.assertEqual(message["data"]["seq"], after["seq"])
        # Re-joining after a resume announces nobody: Cleo leaving is the barrier.
        await cleo.call("room.leave", {"room": room})
        changes = await presence_until(bob, room, lambda joined, left, online: cleo_id in left)
        self.assertEqual([joined for joined, _, _ in changes], [[] for _ in changes])
        self.assertEqual(changes[-1][2], 2)

    async def test_token_is_single_use_and_a_live_session_is_taken_over(self):
        first = await self.connect()
        ack = await first.hello("Ada")
        second = await self.connect()
        taken = await second.hello("Ada", resume=ack["resume"])
        self.assertIs(taken["resumed"], True)
        self.assertEqual(taken["userId"], ack["userId"])
        self.assertEqual(await first.wait_closed(), 4003)

        third = await self.connect()
        reply = await third.hello_reply("Ada", resume=ack["resume"])
        self.assert_error(reply, "resume_expired", id=reply["id"])


# --- several sessions of one user -----------------------------------------------------------


class SessionsTest(ProtocolTestCase):
    async def test_two_sessions_of_one_identity_count_as_one_member(self):
        room = unique_room()
        bob, bob_hello, _ = await self.joined("Bob", room)
        x1, x_hello, x1_join = await self.joined("Xena", room)
        x_id = x_hello["userId"]
        self.assertEqual(x1_join["online"], 2)
        x2, x2_hello, x2_join = await self.joined("Xena", room, identity=x_hello["identity"])
        self.assertEqual(x2_hello["userId"], x_id)
        self.assertEqual(x2_join["online"], 2)
        self.assertEqual([m["userId"] for m in x2_join["members"]].count(x_id), 1)

        cleo, cleo_hello, cleo_join = await self.joined("Cleo", room)
        cleo_id = cleo_hello["userId"]
        self.assertEqual(cleo_join["online"], 3)
        changes = await presence_until(bob, room, lambda joined, left, online: cleo_id in joined)
        self.assertEqual(sum(joined.count(x_id) for joined, _, _ in changes), 1, changes)
        self.assertEqual(changes[-1][2], 3)

        # chat.message reaches the sender's other session; typing does not.
        sent = await x1.call("chat.send", chat(room, "from x1"))
        message = await x2.next_event("chat.message")
        self.assertEqual(message["data"]["seq"], sent["seq"])
        self.assertEqual(message["data"]["from"]["userId"], x_id)
        await x1.call("chat.typing", {"room": room, "typing": True})
        await bob.next_event("chat.typing", lambda f: f["data"]["user"]["userId"] == x_id)
        await bob.call("chat.typing", {"room": room, "typing": True})
        typing = await x2.next_event("chat.typing")
        self.assertEqual(typing["data"]["user"]["userId"], bob_hello["userId"], "own typing echoed")

        # The first session leaving is no departure; Cleo leaving afterwards is the barrier.
        await x1.call("room.leave", {"room": room})
        await cleo.call("room.leave", {"room": room})
        changes = await presence_until(bob, room, lambda joined, left, online: cleo_id in left)
        self.assertFalse(any(x_id in left for _, left, _ in changes), changes)
        self.assertEqual(changes[-1][2], 2)
        # The last session leaving is.
        await x2.call("room.leave", {"room": room})
        changes = await presence_until(bob, room, lambda joined, left, online: x_id in left)
        self.assertEqual(changes[-1][2], 1)

    async def test_a_hello_under_a_new_name_is_told_to_the_room_and_taken_by_every_session(self):
        room = unique_room()
        bob, _, _ = await self.joined("Bob", room)
        x1, x_hello, x_join = await self.joined("Xena", room)
        x_id = x_hello["userId"]
        listed = MemberList(x_join)  # Xena's own list: Bob and herself
        x2 = await self.connect()
        renamed = await x2.hello("Xena Warrior", identity=x_hello["identity"])
        self.assertEqual(renamed["userId"], x_id)
        self.assertEqual(renamed["rooms"], [])
        # Told to every member, the user's own session too; nobody joined or left.
        for conn in (bob, x1):
            frame = await conn.next_event("presence.renamed", lambda f: f["data"]["room"] == room)
            self.assertEqual(frame["data"], {"room": room, "user": {"userId": x_id, "name": "Xena Warrior"}})
        listed.rename(frame)
        self.assertEqual(listed.members[x_id]["name"], "Xena Warrior")
        self.assertEqual(listed.online, 2)
        # The first session now sends under the new name.
        sent = await x1.call("chat.send", chat(room, "under the new name"))
        message = await bob.next_event("chat.message", lambda f: f["data"]["seq"] == sent["seq"])
        self.assertEqual(message["data"]["from"], {"userId": x_id, "name": "Xena Warrior"})


# --- presence bursts (the presence.diff cap) -----------------------------------------------

# More than twice presenceDiffMaxUsers, so that a burst split over two 100 ms windows still puts
# more than 20 changes of one kind into one of them on any but a very slow machine.
BURST_USERS = 45


class PresenceBurstTest(ProtocolTestCase):
    """Many users joining or leaving one room at once, as one watcher sees it.

    The burst's frames are sent together, just after a first change opened a 100 ms window (that
    first change may go out alone as presence.joined/left, or fall into a window already open).
    The collection ends at a barrier, not after a sleep: one more user joins once every burst
    frame was acknowledged; a room's presence frames arrive in order and a diff names the latest
    changes, so the frame naming that user comes after every change of the burst.
    """

    async def users(self, prefix, count):
        """`count` connections with a successful hello; returns `[(connection, User)]`."""

        async def one(index):
            name = f"{prefix} {index}"
            conn, ack = await self.user(name)
            return conn, {"userId": ack["userId"], "name": name}

        return list(await asyncio.gather(*(one(index) for index in range(count))))

    async def join_all(self, conns, room):
        """Sends every `room.join` before awaiting any ack: the joins reach the api together."""
        return await asyncio.gather(*(conn.call("room.join", {"room": room}) for conn in conns))

    def assert_capped(self, changes, users):
        """Each change's shape under the cap; every named user is one of `users` (id → User)."""
        for change in changes:
            data = change.frame["data"]
            if change.event == "presence.diff":
                self.assertTrue(change.has_counts, f"no joinedCount and leftCount in {change}")
                for key, count in (("joined", change.joined_count), ("left", change.left_count)):
                    self.assertLessEqual(len(data[key]), PRESENCE_DIFF_MAX_USERS, change)
                    self.assertGreaterEqual(count, len(data[key]), change)
                    # The latest changes of each kind are named, up to 20 of them.
                    self.assertEqual(len(data[key]), min(count, PRESENCE_DIFF_MAX_USERS), change)
                    for user in data[key]:
                        self.assertIn(user["userId"], users, change)
                        expected = users[user["userId"]]
                        self.assertEqual({k: user[k] for k in expected}, expected, change)
            else:
                user = data["user"]
                self.assertIn(user["userId"], users, change)
                self.assertEqual(user["name"], users[user["userId"]]["name"], change)

    def assert_online_follows_counts(self, changes, online_before):
        """`online` after each change is what the counts make of the one before."""
        online = online_before
        for change in changes:
            online += change.joined_count - change.left_count
            self.assertEqual(change.online, online, change)

    async def assert_members(self, room, users):
        status, body = await self.http(f"/api/rooms/{room}/members?limit=1000")
        self.assertEqual(status, 200, body)
        self.assertEqual(body["online"], len(users), body)
        self.assertCountEqual([m["userId"] for m in body["members"]], [u["userId"] for u in users])

    async def test_a_burst_of_joins_names_at_most_20_per_diff_and_counts_every_joiner(self):
        room = unique_room("burst")
        watcher, watcher_hello, watcher_join = await self.joined("Watcher", room)
        watcher_user = {"userId": watcher_hello["userId"], "name": "Watcher"}
        members = MemberList(watcher_join)
        (opener, opener_user), = await self.users("Opener", 1)
        burst = await self.users("Joiner", BURST_USERS)
        (marker, marker_user), = await self.users("Marker", 1)
        joiners = [opener_user] + [user for _, user in burst] + [marker_user]
        by_id = {user["userId"]: user for user in joiners}

        await opener.call("room.join", {"room": room})
        await self.join_all([conn for conn, _ in burst], room)
        await marker.call("room.join", {"room": room})
        marker_id = marker_user["userId"]
        changes = await presence_until(watcher, room, lambda joined, *_: marker_id in joined)

        self.assert_capped(changes, by_id)
        self.assertEqual(sum(change.joined_count for change in changes), len(joiners), changes)
        self.assertEqual(sum(change.left_count for change in changes), 0, changes)
        named = [user_id for change in changes for user_id in change.joined]
        self.assertEqual(len(named), len(set(named)), "each joiner is named at most once")
        self.assert_online_follows_counts(changes, online_before=1)
        self.assertEqual(changes[-1].online, 1 + len(joiners))
        self.assertIn(marker_id, changes[-1].joined)

        # The watcher's list holds whom it was told about; the others are counted in `online`
        # and listed by GET /api/rooms/:room/members. Nobody left, so it need not re-join.
        for change in changes:
            members.apply(change)
        self.assertFalse(members.stale)
        self.assertLessEqual(set(members.members), set(by_id) | {watcher_user["userId"]})
        self.assertEqual(members.online, 1 + len(joiners))
        await self.assert_members(room, [watcher_user] + joiners)

    async def test_a_burst_of_leaves_counts_every_leaver_and_a_re_join_reads_the_members(self):
        room = unique_room("burst")
        watcher, watcher_hello, watcher_join = await self.joined("Watcher", room)
        watcher_user = {"userId": watcher_hello["userId"], "name": "Watcher"}
        members = MemberList(watcher_join)
        stayers = await self.users("Stayer", 3)
        leavers = await self.users("Leaver", BURST_USERS)
        (marker, marker_user), (last, last_user) = await self.users("Marker", 2)
        everyone = stayers + leavers + [(marker, marker_user), (last, last_user)]
        by_id = {user["userId"]: user for _, user in everyone}

        # Everyone joins; the watcher reads those changes up to the marker's.
        await self.join_all([conn for conn, _ in stayers + leavers], room)
        await marker.call("room.join", {"room": room})
        marker_id = marker_user["userId"]
        setup = await presence_until(watcher, room, lambda joined, *_: marker_id in joined)
        self.assert_capped(setup, by_id)
        online_before = 1 + len(stayers) + len(leavers) + 1
        self.assertEqual(sum(change.joined_count for change in setup), online_before - 1)
        self.assertEqual(setup[-1].online, online_before)
        for change in setup:
            members.apply(change)
        sent = await stayers[0][0].call("chat.send", chat(room, "still here"))

        # One leave opens a window, the rest follow at once; one more join is the barrier.
        await leavers[0][0].call("room.leave", {"room": room})
        await asyncio.gather(*(conn.call("room.leave", {"room": room}) for conn, _ in leavers[1:]))
        await last.call("room.join", {"room": room})
        last_id = last_user["userId"]
        changes = await presence_until(watcher, room, lambda joined, *_: last_id in joined)

        self.assert_capped(changes, by_id)
        leaver_ids = {user["userId"] for _, user in leavers}
        self.assertEqual(sum(change.left_count for change in changes), len(leavers), changes)
        self.assertEqual(sum(change.joined_count for change in changes), 1, changes)
        named_left = [user_id for change in changes for user_id in change.left]
        self.assertEqual(len(named_left), len(set(named_left)), "each leaver is named at most once")
        self.assertLessEqual(set(named_left), leaver_ids)
        self.assertEqual([user_id for change in changes for user_id in change.joined], [last_id])
        self.assert_online_follows_counts(changes, online_before)
        real = [watcher_user] + [user for _, user in stayers] + [marker_user, last_user]
        self.assertEqual(changes[-1].online, len(real))

        # A client that keeps a list of members: some left unnamed exactly when a frame says so,
        # and then it must re-join; otherwise its list holds nobody who left.
        stale = False
        for change in changes:
            stale = members.apply(change)
        some_left_unnamed = any(change.left_count > len(change.left) for change in changes)
        self.assertEqual(stale, some_left_unnamed)
        if not stale:
            self.assertFalse(set(members.members) & leaver_ids, "a leaver still listed")

        rejoin = await watcher.call("room.join", {"room": room, "since": watcher_join["lastSeq"]})
        self.assertEqual(rejoin["members"][0], watcher_user, "the joiner comes first")
        self.assertCountEqual(rejoin["members"], real)
        self.assertEqual(rejoin["online"], len(real))
        self.assertIs(rejoin["recovered"], True)
        self.assertEqual([message["seq"] for message in rejoin["history"]], [sent["seq"]])
        members.reset(rejoin)
        self.assertEqual(set(members.members), {user["userId"] for user in real})
        await self.assert_members(room, real)


# --- HTTP -----------------------------------------------------------------------------------


class HttpTest(ProtocolTestCase):
    async def fill_room(self, room, count, per_connection=30):
        """Stores `count` messages in `room` from as many connections as the rate limit needs."""
        seqs = []

        async def send_from_one(how_many):
            conn, _, _ = await self.joined("Filler", room)
            acks = await asyncio.gather(
                *(
                    conn.call("chat.send", chat(room, "m"), timeout=FILL_TIMEOUT_S)
                    for _ in range(how_many)
                )
            )
            seqs.extend(ack["seq"] for ack in acks)

        batches = [min(per_connection, count - start) for start in range(0, count, per_connection)]
        await asyncio.gather(*(send_from_one(size) for size in batches))
        self.assertEqual(sorted(seqs), list(range(1, count + 1)))

    async def messages(self, room, query=""):
        status, body = await self.http(f"/api/rooms/{room}/messages{query}")
        self.assertEqual(status, 200, body)
        self.assertIsInstance(body, list)
        seqs = [message["seq"] for message in body]
        self.assertEqual(seqs, sorted(seqs), "increasing seq")
        return seqs

    async def test_rooms_lists_a_room_with_its_online_count_and_last_seq(self):
        room = unique_room()
        await self.fill_room(room, 3)
        status, body = await self.http("/api/rooms")
        self.assertEqual(status, 200)
        self.assertIsInstance(body, list)
        entries = [entry for entry in body if entry.get("room") == room]
        self.assertEqual(entries, [{"room": room, "online": 1, "lastSeq": 3}])

    async def test_messages_are_chat_messages_and_page_backwards_with_before(self):
        room = unique_room()
        ada, ada_hello, _ = await self.joined("Ada", room)
        sent = {}
        for index in range(7):
            client_id = unique_client_id()
            ack = await ada.call("chat.send", chat(room, f" text {index} ", client_id))
            sent[ack["seq"]] = (client_id, f" text {index} ", ack["ts"])
        status, body = await self.http(f"/api/rooms/{room}/messages")
        self.assertEqual(status, 200)
        self.assertEqual([m["seq"] for m in body], list(range(1, 8)))
        for message in body:
            client_id, text, ts = sent[message["seq"]]
            self.assert_text_message(
                message,
                room=room,
                seq=message["seq"],
                client_id=client_id,
                sender={"userId": ada_hello["userId"], "name": "Ada"},
                text=text,
                ts=ts,
            )
        self.assertEqual(await self.messages(room, "?before=5&limit=2"), [3, 4])
        self.assertEqual(await self.messages(room, "?limit=3"), [5, 6, 7])
        self.assertEqual(await self.messages(room, "?before=1"), [])
        self.assertEqual(await self.messages(room, "?before=8&limit=1"), [7])
        self.assertEqual(await self.messages(unique_room("unknown"), ""), [])

    async def test_after_pages_forward_over_every_message_exactly_once(self):
        room = unique_room()
        await self.fill_room(room, 11)
        walked, after = [], 0
        while True:
            page = await self.messages(room, f"?after={after}&limit=3")
            if not page:
                break
            self.assertLessEqual(len(page), 3)
            self.assertEqual(page[0], after + 1, "the oldest messages after `after`")
            walked.extend(page)
            after = page[-1]
        self.assertEqual(walked, list(range(1, 12)))

    async def test_huge_before_after_and_limit_are_clamped_not_rejected(self):
        room = unique_room()
        await self.fill_room(room, 210)
        newest_50 = list(range(161, 211))
        self.assertEqual(await self.messages(room, f"?before={MAX_SAFE_INTEGER}"), newest_50)
        self.assertEqual(await self.messages(room, f"?before={2**80}"), newest_50)
        self.assertEqual(await self.messages(room, "?limit=2147483648"), list(range(11, 211)))
        newest_200, oldest_200 = list(range(11, 211)), list(range(1, 201))
        huge = f"?before={MAX_SAFE_INTEGER}&limit={2**70}"
        self.assertEqual(await self.messages(room, huge), newest_200)
        self.assertEqual(await self.messages(room, "?after=0&limit=2147483648"), oldest_200)
        self.assertEqual(await self.messages(room, f"?after={MAX_SAFE_INTEGER}"), [])
        self.assertEqual(await self.messages(room, "?after=205"), list(range(206, 211)))

    async def test_bad_queries_are_400_bad_request(self):
        room = unique_room()
        paths = [
            f"/api/rooms/{room}/messages?before=0",
            f"/api/rooms/{room}/messages?before=-1",
            f"/api/rooms/{room}/messages?before=abc",
            f"/api/rooms/{room}/messages?before=1.5",
            f"/api/rooms/{room}/messages?before=1e3",
            f"/api/rooms/{room}/messages?before=",
            f"/api/rooms/{room}/messages?limit=0",
            f"/api/rooms/{room}/messages?limit=-5",
            f"/api/rooms/{room}/messages?limit=ten",
            f"/api/rooms/{room}/messages?after=-1",
            f"/api/rooms/{room}/messages?after=x",
            f"/api/rooms/{room}/messages?after=1&before=5",
            "/api/rooms/Not_A_Room/messages",
            f"/api/rooms/{'a' * 41}/messages",
            f"/api/rooms/{room}/members?limit=0",
            f"/api/rooms/{room}/members?limit=many",
            "/api/rooms/-leading-dash/members",
        ]
        for path in paths:
            with self.subTest(path):
                status, body = await self.http(path)
                self.assertEqual(status, 400, body)
                self.assertIsInstance(body, dict, body)
                self.assertEqual(body.get("code"), "bad_request", body)
                self.assertIsInstance(body.get("message"), str, body)

    async def test_members_are_ordered_by_user_id_and_page_with_after(self):
        room = unique_room()
        users = []
        for name in ("Ada", "Bob", "Cleo", "Dan"):
            _, hello, _ = await self.joined(name, room)
            users.append({"userId": hello["userId"], "name": name})
        users.sort(key=lambda user: user["userId"])

        status, body = await self.http(f"/api/rooms/{room}/members")
        self.assertEqual(status, 200)
        self.assertEqual(body, {"online": 4, "members": users})
        status, body = await self.http(f"/api/rooms/{room}/members?limit=2147483648")
        self.assertEqual((status, body), (200, {"online": 4, "members": users}))

        walked, after = [], None
        while True:
            query = "?limit=1" + (f"&after={urllib.parse.quote(after, safe='')}" if after else "")
            status, body = await self.http(f"/api/rooms/{room}/members{query}")
            self.assertEqual(status, 200, body)
            self.assertEqual(body["online"], 4)
            if not body["members"]:
                break
            self.assertEqual(len(body["members"]), 1)
            walked.extend(body["members"])
            after = body["members"][-1]["userId"]
        self.assertEqual(walked, users)

        status, body = await self.http(f"/api/rooms/{unique_room('unknown')}/members")
        self.assertEqual((status, body), (200, {"online": 0, "members": []}))


# --- errors ---------------------------------------------------------------------------------


class ErrorTest(ProtocolTestCase):
    async def test_unparsable_json_is_bad_json_and_the_connection_stays_open(self):
        conn = await self.connect()
        for text in ("{not json", "[1, 2]", '"a string"', "42"):
            with self.subTest(text):
                await conn.send_raw(text)
                self.assert_error(await conn.next_event("error"), "bad_json")
        ack = await conn.hello("Ada")
        self.assertIsInstance(ack["userId"], str)

    async def test_unknown_event_is_unknown_event(self):
        conn, _ = await self.user("Ada")
        reply = await conn.request("no.such.event", {})
        self.assert_error(reply, "unknown_event", id=reply["id"])
        await conn.send("no.such.event", {})
        self.assert_error(await conn.next_event("error"), "unknown_event")

    async def test_events_before_hello_are_unauthenticated(self):
        conn = await self.connect()
        requests = (("ping", {}), ("room.join", {"room": unique_room()}), ("no.such.event", {}))
        for event, data in requests:
            with self.subTest(event):
                reply = await conn.request(event, data)
                # The event name is checked before the session.
                code = "unknown_event" if event == "no.such.event" else "unauthenticated"
                self.assert_error(reply, code, id=reply["id"])

    async def test_a_binary_frame_is_bad_message_without_details(self):
        conn = await self.connect()
        await conn.send_raw(b'{"event":"ping","data":{},"id":"1"}')
        self.assert_error(await conn.next_event("error"), "bad_message")
        await conn.hello("Ada")
        await conn.send_raw(bytes([0, 1, 2, 255]))
        self.assert_error(await conn.next_event("error"), "bad_message")
        pong = await conn.call("ping", {})
        self.assert_iso_time(pong["serverTime"])

    async def test_a_bad_envelope_is_bad_message_naming_the_field_without_id(self):
        conn, _ = await self.user("Ada")
        cases = {
            "numeric id": ({"event": "ping", "data": {}, "id": 7}, ["id"]),
            "empty id": ({"event": "ping", "data": {}, "id": ""}, ["id"]),
            "id of 65 characters": ({"event": "ping", "data": {}, "id": "x" * 65}, ["id"]),
            "no data": ({"event": "ping", "id": "1"}, ["data"]),
            "data not an object": ({"event": "ping", "data": [], "id": "1"}, ["data"]),
        }
        for label, (frame, fields) in cases.items():
            with self.subTest(label):
                await conn.send_raw(json.dumps(frame))
                error = await conn.next_event("error")
                if "id" in fields:
                    self.assert_error(error, "bad_message", fields=fields)
                else:
                    self.assert_error(error, "bad_message", id="1", fields=fields)

    async def test_bad_data_is_bad_message_naming_every_failing_field(self):
        conn, _ = await self.user("Ada")
        room = unique_room()
        reply = await conn.request("chat.send", {"room": room, "text": "   "})
        self.assert_error(reply, "bad_message", id=reply["id"], fields=["clientId", "text"])
        reply = await conn.request("room.join", {"room": "Not A Room"})
        self.assert_error(reply, "bad_message", id=reply["id"], fields=["room"])
        await conn.call("room.join", {"room": room})
        ill_formed = {"lone surrogate": "a\ud800b", "NUL": "a\u0000b", "control": "a\u0007b"}
        for label, text in ill_formed.items():
            with self.subTest(label):
                reply = await conn.request("chat.send", chat(room, text))
                self.assert_error(reply, "bad_message", id=reply["id"], fields=["text"])
        # None of them was stored.
        fine = await conn.call("chat.send", chat(room, "fine"))
        self.assertEqual(fine["seq"], 1)


# --- restart --------------------------------------------------------------------------------


async def restart_api():
    await asyncio.to_thread(subprocess.run, RESTART_COMMAND, shell=True, check=True)


@unittest.skipUnless(RESTART_COMMAND, "DUPLEX_RESTART_COMMAND is not set")
class RestartTest(ProtocolTestCase):
    async def test_identity_and_stored_messages_survive_a_restart(self):
        room = unique_room()
        ada, ada_hello, _ = await self.joined("Ada", room)
        client_id = unique_client_id()
        first = await ada.call("chat.send", chat(room, "durable", client_id))

        await restart_api()
        self.assertEqual(await ada.wait_closed(timeout=30), 1001, "going away")

        conn = await self.connect()
        reply = await conn.hello_reply("Ada", resume=ada_hello["resume"])
        self.assert_error(reply, "resume_expired", id=reply["id"])
        again = await conn.hello("Ada", identity=ada_hello["identity"])
        self.assertEqual(again["userId"], ada_hello["userId"])
        self.assertIs(again["resumed"], False)
        self.assertEqual(again["rooms"], [])

        join = await conn.call("room.join", {"room": room, "since": first["seq"] - 1})
        self.assertIs(join["recovered"], True)
        self.assertEqual(join["lastSeq"], first["seq"])
        self.assert_text_message(
            join["history"][0],
            room=room,
            seq=first["seq"],
            client_id=client_id,
            sender={"userId": ada_hello["userId"], "name": "Ada"},
            text="durable",
            ts=first["ts"],
        )
        retried = await conn.call("chat.send", chat(room, "durable", client_id))
        self.assertEqual(retried, first)
        later = await conn.call("chat.send", chat(room, "later"))
        self.assertEqual(later["seq"], first["seq"] + 1)
        message = await conn.next_event("chat.message")
        self.assertEqual(message["data"]["seq"], later["seq"], "the retry was not broadcast")


# --- runner ---------------------------------------------------------------------------------

CASES = [
    HelloTest,
    RoomChatTest,
    ResumeTest,
    SessionsTest,
    PresenceBurstTest,
    HttpTest,
    ErrorTest,
    RestartTest,
]


class ReportingResult(unittest.TextTestResult):
    """Keeps one outcome per test (a failing subtest fails its test) for the JSON report."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcomes = {}

    def _record(self, test, status, err=None):
        name = test.id().removeprefix("__main__.")
        if self.outcomes.get(name, {}).get("status") == "failed":
            return
        outcome = {"name": name, "status": status}
        if err is not None:
            outcome["message"] = self._exc_info_to_string(err, test)[-2000:]
        self.outcomes[name] = outcome

    def addSuccess(self, test):
        super().addSuccess(test)
        self._record(test, "passed")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._record(test, "failed", err)

    def addError(self, test, err):
        super().addError(test, err)
        self._record(test, "failed", err)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._record(test, "skipped")

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            self._record(test, "failed", err)

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._record(test, "passed")

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._record(test, "failed")

    def report(self):
        tests = list(self.outcomes.values())
        count = lambda status: sum(1 for test in tests if test["status"] == status)
        totals = {status: count(status) for status in ("passed", "failed", "skipped")}
        return {**totals, "tests": tests}


def main(argv):
    verbosity = 2 if "-v" in argv else 1
    names = [arg for arg in argv if not arg.startswith("-")]
    loader = unittest.TestLoader()
    module = sys.modules[__name__]
    suite = (
        loader.loadTestsFromNames(names, module)
        if names
        else unittest.TestSuite(loader.loadTestsFromTestCase(case) for case in CASES)
    )
    result = unittest.TextTestRunner(verbosity=verbosity, resultclass=ReportingResult).run(suite)
    report = result.report()
    if os.environ.get("DUPLEX_REPORT"):
        with open(os.environ["DUPLEX_REPORT"], "w", encoding="utf-8") as file:
            json.dump(report, file, indent=2)
    passed, failed, skipped = report["passed"], report["failed"], report["skipped"]
    print(f"interop-python: {passed} passed, {failed} failed, {skipped} skipped")
    return 0 if report["failed"] == 0 and report["passed"] > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
