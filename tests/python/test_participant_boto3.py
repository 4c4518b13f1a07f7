"""Amazon Connect Participant Service limits driven with boto3's
connectparticipant client against a running Headroom.

participantapi's TestBoto3Participant starts the server with a manual clock,
starts the chats with StartChatContact and runs this file with:

    HEADROOM_URL       the server
    HEADROOM_CLOCK_URL POST ?ms=N advances the server's clock by N ms
    HEADROOM_CHATS     JSON: name -> {"instance": id, "token": ParticipantToken}

Plain unittest, run in file order: the last test lets the chats run out.
"""

import json
import os
import unittest
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

CHATS = json.loads(os.environ["HEADROOM_CHATS"])


def client():
    # No retries: each ThrottlingException must reach the test as it is.
    return boto3.client(
        "connectparticipant",
        endpoint_url=os.environ["HEADROOM_URL"],
        region_name="us-east-1",
        aws_access_key_id="unused",
        aws_secret_access_key="unused",
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


def advance(ms):
    req = urllib.request.Request(os.environ["HEADROOM_CLOCK_URL"] + "?ms=%d" % ms, method="POST")
    urllib.request.urlopen(req).close()


C = client()


def connect(name):
    out = C.create_participant_connection(
        ParticipantToken=CHATS[name]["token"], Type=["WEBSOCKET", "CONNECTION_CREDENTIALS"], ConnectParticipant=True
    )
    return out


class Participant(unittest.TestCase):
    def assertRefused(self, cm, code, status, *words):
        err = cm.exception.response
        self.assertEqual(err["Error"]["Code"], code, err)
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], status, err)
        for w in words:
            self.assertIn(w, err["Error"]["Message"])

    def test_1_chat_session(self):
        conn = connect("session")
        self.assertTrue(conn["Websocket"]["Url"].startswith("ws://"), conn)
        tok = conn["ConnectionCredentials"]["ConnectionToken"]
        # 1,024 characters is the edge, counted in characters: two bytes
        # each here. One more is refused, naming the limit.
        C.send_message(ConnectionToken=tok, ContentType="text/plain", Content="\u00e9" * 1024)
        with self.assertRaises(ClientError) as cm:
            C.send_message(ConnectionToken=tok, ContentType="text/plain", Content="\u00e9" * 1025)
        self.assertRefused(cm, "ValidationException", 400, "1024")
        C.send_event(ConnectionToken=tok, ContentType="application/vnd.amazonaws.connect.event.typing")
        for i in range(5):
            C.send_message(ConnectionToken=tok, ContentType="text/plain", Content="m%d" % i)
        # GetTranscript pages with NextToken.
        seen, kw = [], {}
        while True:
            page = C.get_transcript(ConnectionToken=tok, MaxResults=2, ScanDirection="FORWARD", **kw)
            self.assertLessEqual(len(page["Transcript"]), 2)
            seen.extend(i.get("Content") for i in page["Transcript"] if i["Type"] == "MESSAGE")
            if not page.get("NextToken"):
                break
            kw = {"NextToken": page["NextToken"]}
        self.assertEqual([s for s in seen if s and s.startswith("m")], ["m0", "m1", "m2", "m3", "m4"])
        # A wrong token is refused.
        with self.assertRaises(ClientError) as cm:
            C.send_message(ConnectionToken=tok + "x", ContentType="text/plain", Content="hi")
        self.assertRefused(cm, "AccessDeniedException", 403)

    def test_2_attachments(self):
        tok = connect("attach")["ConnectionCredentials"]["ConnectionToken"]
        with self.assertRaises(ClientError) as cm:
            C.start_attachment_upload(ConnectionToken=tok, ContentType="application/x-msdownload",
                                      AttachmentSizeInBytes=1, AttachmentName="virus.exe", ClientToken="x1")
        self.assertRefused(cm, "ValidationException", 400, "exe")
        with self.assertRaises(ClientError) as cm:
            C.start_attachment_upload(ConnectionToken=tok, ContentType="application/pdf",
                                      AttachmentSizeInBytes=20 * 1024 * 1024 + 1, AttachmentName="big.pdf", ClientToken="x2")
        self.assertRefused(cm, "ValidationException", 400, "20")
        data = b"%PDF-1.4 a receipt"
        ids = []
        for i in range(5):
            up = C.start_attachment_upload(ConnectionToken=tok, ContentType="application/pdf",
                                           AttachmentSizeInBytes=len(data), AttachmentName="r%d.pdf" % i, ClientToken="u%d" % i)
            meta = up["UploadMetadata"]
            req = urllib.request.Request(meta["Url"], data=data, method="PUT", headers=meta.get("HeadersToInclude", {}))
            urllib.request.urlopen(req).close()
            # The model completes one attachment per call.
            C.complete_attachment_upload(ConnectionToken=tok, AttachmentIds=[up["AttachmentId"]], ClientToken="c%d" % i)
            ids.append(up["AttachmentId"])
        # Five per conversation: the sixth is refused.
        with self.assertRaises(ClientError) as cm:
            C.start_attachment_upload(ConnectionToken=tok, ContentType="text/plain",
                                      AttachmentSizeInBytes=1, AttachmentName="six.txt", ClientToken="u6")
        self.assertRefused(cm, "ServiceQuotaExceededException", 402, "5")
        got = C.get_attachment(ConnectionToken=tok, AttachmentId=ids[0])
        self.assertEqual(got["AttachmentSizeInBytes"], len(data))
        with urllib.request.urlopen(got["Url"]) as r:
            self.assertEqual(r.read(), data)

    def throttle(self, tok, n):
        for _ in range(n):
            C.send_message(ConnectionToken=tok, ContentType="text/plain", Content="hi")

    def test_3_throttle_per_instance(self):
        a = connect("throttled-a")["ConnectionCredentials"]["ConnectionToken"]
        b = connect("throttled-b")["ConnectionCredentials"]["ConnectionToken"]
        other = connect("other-instance")["ConnectionCredentials"]["ConnectionToken"]
        advance(10000)
        # SendMessage: 10/s, burst 15, shared by the instance's chats.
        self.throttle(a, 8)
        self.throttle(b, 7)
        for tok in (a, b):
            with self.assertRaises(ClientError) as cm:
                self.throttle(tok, 1)
            self.assertRefused(cm, "ThrottlingException", 429, "10 per second (burst 15)")
        # Another instance has its own bucket.
        self.throttle(other, 1)
        # A second refills ten.
        advance(1001)
        self.throttle(a, 10)
        with self.assertRaises(ClientError) as cm:
            self.throttle(b, 1)
        self.assertRefused(cm, "ThrottlingException", 429)

    def test_4_override_moves_the_edge(self):
        # The server set this instance's SendMessage rate to 20: burst 30.
        tok = connect("raised")["ConnectionCredentials"]["ConnectionToken"]
        advance(10000)
        self.throttle(tok, 30)
        with self.assertRaises(ClientError) as cm:
            self.throttle(tok, 1)
        self.assertRefused(cm, "ThrottlingException", 429, "20 per second (burst 30)")

    def test_5_disconnect(self):
        tok = connect("leaving")["ConnectionCredentials"]["ConnectionToken"]
        C.disconnect_participant(ConnectionToken=tok, ClientToken="bye")
        with self.assertRaises(ClientError) as cm:
            self.throttle(tok, 1)
        self.assertIn(cm.exception.response["Error"]["Code"], ("AccessDeniedException", "ConflictException"))

    def test_9_chat_runs_out_at_25_hours(self):
        tok = connect("long")["ConnectionCredentials"]["ConnectionToken"]
        self.throttle(tok, 1)
        advance(25 * 3600 * 1000 + 1000)
        with self.assertRaises(ClientError) as cm:
            self.throttle(tok, 1)
        self.assertIn(cm.exception.response["Error"]["Code"], ("AccessDeniedException", "ConflictException"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
