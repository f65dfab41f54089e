"""A local S3 stand-in for the object-storage tests: moto in server mode, spoken to over HTTP
with the real S3 protocol (signed requests, buckets, objects, encryption headers). No network."""

import contextlib
import os
import subprocess
import sys
import time
import urllib.request

import boto3

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "eip-test", "AWS_SECRET_ACCESS_KEY": "eip-test-secret"}
REGION = "eu-west-2"


def s3_environment(endpoint: str, bucket: str) -> dict:
    """The environment a process needs for EIP_STORAGE=s3 against the stand-in."""
    return {
        **CREDENTIALS,
        "EIP_STORAGE": "s3",
        "EIP_S3_BUCKET": bucket,
        "EIP_S3_ENDPOINT_URL": endpoint,
        "EIP_S3_REGION": REGION,
    }


def client(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


def create_private_bucket(endpoint: str, bucket: str) -> None:
    s3 = client(endpoint)
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )


@contextlib.contextmanager
def s3_server(port: int):
    """moto's S3 server in its own process on 127.0.0.1:port; yields its endpoint URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **CREDENTIALS},
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).close()  # noqa: S310
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the S3 stand-in did not start") from None
                time.sleep(0.2)
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)
