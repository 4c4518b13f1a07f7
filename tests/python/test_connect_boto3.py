"""The main Amazon Connect flow driven with boto3 against a running Headroom.

Run it against a server with an account's access key:

    HEADROOM_URL=http://127.0.0.1:8080 AWS_ACCESS_KEY_ID=... \
    AWS_SECRET_ACCESS_KEY=... python3 tests/python/test_connect_boto3.py

cmd/headroom's TestBoto3 starts a server in process and runs this file.
Plain unittest: no pytest needed.
"""

import os
import unittest
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

REGION = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")


def client():
    # Retries cover the account's API rate (2/s, burst 5): boto3 backs off
    # on ThrottlingException as it does against Amazon Connect.
    return boto3.client(
        "connect",
        endpoint_url=os.environ["HEADROOM_URL"],
        region_name=REGION,
        aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
        config=Config(retries={"max_attempts": 20, "mode": "standard"}),
    )


def all_pages(c, op, key, **kw):
    out = []
    for page in c.get_paginator(op).paginate(**kw):
        out.extend(page[key])
    return out


class ConnectFlow(unittest.TestCase):
    """Create an instance, a queue, a routing profile and a user, then find
    them again by name, as an application does at start-up."""

    @classmethod
    def setUpClass(cls):
        cls.c = client()
        suffix = uuid.uuid4().hex[:8]
        cls.alias = "boto3-" + suffix
        inst = cls.c.create_instance(
            IdentityManagementType="CONNECT_MANAGED",
            InstanceAlias=cls.alias,
            InboundCallsEnabled=True,
            OutboundCallsEnabled=True,
        )
        cls.iid = inst["Id"]
        cls.instance_arn = inst["Arn"]
        hours = cls.c.create_hours_of_operation(
            InstanceId=cls.iid,
            Name="always",
            TimeZone="UTC",
            Config=[
                {
                    "Day": day,
                    "StartTime": {"Hours": 0, "Minutes": 0},
                    "EndTime": {"Hours": 23, "Minutes": 59},
                }
                for day in ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
            ],
        )
        cls.queue = cls.c.create_queue(
            InstanceId=cls.iid, Name="support", HoursOfOperationId=hours["HoursOfOperationId"]
        )
        cls.profile = cls.c.create_routing_profile(
            InstanceId=cls.iid,
            Name="agents",
            Description="support agents",
            DefaultOutboundQueueId=cls.queue["QueueId"],
            MediaConcurrencies=[{"Channel": "VOICE", "Concurrency": 1}],
            QueueConfigs=[
                {
                    "QueueReference": {"QueueId": cls.queue["QueueId"], "Channel": "VOICE"},
                    "Priority": 1,
                    "Delay": 0,
                }
            ],
        )
        security = cls.c.create_security_profile(InstanceId=cls.iid, SecurityProfileName="agent")
        cls.user = cls.c.create_user(
            InstanceId=cls.iid,
            Username="jdoe",
            Password="Passw0rd-boto3",
            IdentityInfo={"FirstName": "Jane", "LastName": "Doe"},
            PhoneConfig={"PhoneType": "SOFT_PHONE"},
            SecurityProfileIds=[security["SecurityProfileId"]],
            RoutingProfileId=cls.profile["RoutingProfileId"],
        )

    @classmethod
    def tearDownClass(cls):
        cls.c.delete_instance(InstanceId=cls.iid)

    def test_instance_by_alias(self):
        found = [i for i in all_pages(self.c, "list_instances", "InstanceSummaryList") if i.get("InstanceAlias") == self.alias]
        self.assertEqual(len(found), 1)
        self.assertEqual(found[0]["Id"], self.iid)
        self.assertEqual(found[0]["Arn"], self.instance_arn)

    def test_user_by_name(self):
        users = all_pages(self.c, "list_users", "UserSummaryList", InstanceId=self.iid)
        found = [u for u in users if u["Username"] == "jdoe"]
        self.assertEqual(len(found), 1)
        self.assertEqual(found[0]["Id"], self.user["UserId"])
        user = self.c.describe_user(InstanceId=self.iid, UserId=self.user["UserId"])["User"]
        self.assertEqual(user["RoutingProfileId"], self.profile["RoutingProfileId"])

    def test_queue_by_name(self):
        queues = all_pages(self.c, "list_queues", "QueueSummaryList", InstanceId=self.iid)
        found = [q for q in queues if q.get("Name") == "support"]
        self.assertEqual(len(found), 1)
        self.assertEqual(found[0]["Id"], self.queue["QueueId"])

    def test_routing_profile_by_name(self):
        profiles = all_pages(self.c, "list_routing_profiles", "RoutingProfileSummaryList", InstanceId=self.iid)
        found = [p for p in profiles if p.get("Name") == "agents"]
        self.assertEqual(len(found), 1)
        self.assertEqual(found[0]["Id"], self.profile["RoutingProfileId"])

    def test_claim_and_tag_a_number(self):
        available = self.c.search_available_phone_numbers(
            TargetArn=self.instance_arn, PhoneNumberCountryCode="US", PhoneNumberType="TOLL_FREE", MaxResults=1
        )["AvailableNumbersList"]
        self.assertEqual(len(available), 1)
        number = available[0]["PhoneNumber"]
        claimed = self.c.claim_phone_number(TargetArn=self.instance_arn, PhoneNumber=number, Tags={"team": "support"})
        listed = all_pages(
            self.c, "list_phone_numbers_v2", "ListPhoneNumbersSummaryList", TargetArn=self.instance_arn
        )
        self.assertIn(number, [n["PhoneNumber"] for n in listed])
        tags = self.c.list_tags_for_resource(resourceArn=claimed["PhoneNumberArn"])["tags"]
        self.assertEqual(tags, {"team": "support"})
        self.c.release_phone_number(PhoneNumberId=claimed["PhoneNumberId"])

    def test_unknown_instance(self):
        with self.assertRaises(ClientError) as cm:
            self.c.list_users(InstanceId="00000000-0000-0000-0000-000000000000")
        self.assertEqual(cm.exception.response["Error"]["Code"], "ResourceNotFoundException")


if __name__ == "__main__":
    unittest.main(verbosity=2)
