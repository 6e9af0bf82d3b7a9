"""Crawls the Nubo metadata service with cloud-init's own datasource code.

Run by cloud-init.test.ts inside a guest namespace with Debian's python3:
    python3 cloud-init-crawl.py http://[<service>]:<port> <mac>
Prints one JSON object with what cloud-init read, and every log record of
level WARNING or above that cloud-init emitted while reading (there should be none).
"""
import json
import logging
import sys

from cloudinit import url_helper
from cloudinit.sources import normalize_pubkey_data
from cloudinit.sources.helpers import ec2, openstack
from cloudinit.util import read_seeded

base, mac = sys.argv[1], sys.argv[2]
problems = []


class Collect(logging.Handler):
    def emit(self, record):
        if record.levelno >= logging.WARNING:
            problems.append(record.getMessage())


logging.getLogger().addHandler(Collect())
logging.getLogger().setLevel(logging.DEBUG)


class OpenStackSource(openstack.SourceMixin):
    """The part of DataSourceOpenStack that turns metadata into SSH keys."""

    def __init__(self, results):
        self.metadata = results["metadata"]
        self.ec2_metadata = results.get("ec2-metadata")
        self.version = results["version"]


def crawl_openstack():
    reader = openstack.MetadataReader(base, timeout=5, retries=0)
    # cloud-init asks the EC2 layout of the same service for ec2-metadata.
    reader._read_ec2_metadata = lambda: ec2.get_instance_metadata(metadata_address=base, timeout=5, retries=0)
    results = reader.read_v2()
    network = openstack.convert_net_json(results["networkdata"], known_macs={mac: "eth0"})
    return {
        "version": reader._find_working_version(),
        "instance_id": results["metadata"]["instance-id"],
        "hostname": results["metadata"]["local-hostname"],
        "keys": OpenStackSource(results).get_public_ssh_keys(),
        "userdata": results["userdata"].decode(),
        "vendordata": results.get("vendordata"),
        "network": network,
        "ec2_instance_id": results["ec2-metadata"].get("instance-id"),
    }


def crawl_ec2():
    token = url_helper.readurl(
        base + "/latest/api/token",
        request_method="PUT",
        headers={"X-aws-ec2-metadata-token-ttl-seconds": "60"},
        timeout=5,
    ).contents.decode()
    with_token = lambda _url: {"X-aws-ec2-metadata-token": token}  # noqa: E731
    md = ec2.get_instance_metadata(metadata_address=base, headers_cb=with_token, timeout=5, retries=0)
    ud = ec2.get_instance_userdata(metadata_address=base, headers_cb=with_token, timeout=5, retries=0)
    try:
        url_helper.readurl(base + "/latest/meta-data/instance-id", headers={"X-aws-ec2-metadata-token": token + "x"}, timeout=5)
        bad_token_status = 200
    except url_helper.UrlError as e:
        bad_token_status = e.code
    return {
        "instance_id": md.get("instance-id"),
        "hostname": md.get("local-hostname"),
        "keys": normalize_pubkey_data(md.get("public-keys")),
        "userdata": ud.decode(),
        "mac_ipv6": md["network"]["interfaces"]["macs"][mac]["ipv6s"],
        "bad_token_status": bad_token_status,
    }


def crawl_nocloud():
    md, ud, vd = read_seeded(base + "/nocloud/", timeout=5, retries=0)
    return {
        "instance_id": md["instance-id"],
        "hostname": md["local-hostname"],
        "keys": normalize_pubkey_data(md.get("public-keys")),
        "userdata": ud.decode(),
    }


out = {"openstack": crawl_openstack(), "ec2": crawl_ec2(), "nocloud": crawl_nocloud()}
out["problems"] = problems
print(json.dumps(out, default=str))
