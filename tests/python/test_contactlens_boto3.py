"""Contact Lens's ListRealtimeContactAnalysisSegments driven with boto3's
connect-contact-lens client against a running Headroom.

contactlensapi's TestBoto3ContactLens starts the server with a manual clock,
adds transcript segments through the simulation endpoint and runs this file
with:

    HEADROOM_URL       the server
    HEADROOM_CLOCK_URL POST ?ms=N advances the server's clock by N ms
    HEADROOM_CASE      JSON: instance, contact, segments (how many were
                       added), keys: account name -> [key id, secret]
"""

import json
import os
import unittest
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

CASE = json.loads(os.environ["HEADROOM_CASE"])


def client(account):
    key, secret = CASE["keys"][account]
    return boto3.client(
        "connect-contact-lens",
        endpoint_url=os.environ["HEADROOM_URL"],
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


def advance(ms):
    req = urllib.request.Request(os.environ["HEADROOM_CLOCK_URL"] + "?ms=%d" % ms, method="POST")
    urllib.request.urlopen(req).close()


class ContactLens(unittest.TestCase):
    def list(self, account, **kw):
        return client(account).list_realtime_contact_analysis_segments(
            InstanceId=CASE["instance"][account], ContactId=CASE["contact"], **kw)

    def assertThrottled(self, account, *words):
        with self.assertRaises(ClientError) as cm:
            self.list(account)
        err = cm.exception.response
        self.assertEqual(err["Error"]["Code"], "ThrottlingException", err)
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 429, err)
        for w in words:
            self.assertIn(w, err["Error"]["Message"])

    def test_1_segments_page(self):
        advance(3600 * 1000)
        segments, kw, pages = [], {}, 0
        while True:
            advance(1000)  # one request a second stays under the throttle
            page = self.list("a", MaxResults=2, **kw)
            pages += 1
            segments.extend(page["Segments"])
            if not page.get("NextToken"):
                break
            kw = {"NextToken": page["NextToken"]}
        self.assertEqual(len(segments), CASE["segments"])
        self.assertEqual(pages, (CASE["segments"] + 1) // 2)
        contents = [s["Transcript"]["Content"] for s in segments]
        self.assertEqual(contents, ["line %d" % i for i in range(CASE["segments"])])

    def test_2_throttle_and_override(self):
        advance(3600 * 1000)
        # 1 per second, burst 2, per account: the third is refused.
        self.list("a")
        self.list("a")
        self.assertThrottled("a", "1 per second", "burst 2")
        # The raised account (rate 5, so burst 10) has its own bucket.
        for _ in range(10):
            self.list("raised")
        self.assertThrottled("raised", "5 per second", "burst 10")
        advance(1000)
        self.list("a")
        self.assertThrottled("a")


if __name__ == "__main__":
    unittest.main(verbosity=2)
