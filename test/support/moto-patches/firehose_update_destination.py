"""Firehose UpdateDestination merges into the destination, as the API reference says.

"If the destination type is the same, Firehose merges the configuration
parameters specified with the destination configuration that already exists
on the delivery stream. If any of the parameters are not specified in the
call, the existing values are retained."
(https://docs.aws.amazon.com/firehose/latest/APIReference/API_UpdateDestination.html)

moto 5.2 merges the ExtendedS3 description, but replaces the plain-S3 view
that DescribeDeliveryStream also gives of an ExtendedS3 destination with just
the fields of the update (an update of RoleARN alone left it with no
BucketARN, BufferingHints or CompressionFormat); and it leaves the request's
S3Update / S3BackupUpdate members inside the description it merged them into.
This keeps moto's merge and fixes those two after it.
"""
import copy
from typing import Any

from moto.firehose.models import FirehoseBackend

# The members of S3DestinationDescription: what the plain-S3 view of an ExtendedS3 destination holds.
S3_FIELDS = (
    "RoleARN",
    "BucketARN",
    "Prefix",
    "ErrorOutputPrefix",
    "BufferingHints",
    "CompressionFormat",
    "EncryptionConfiguration",
    "CloudWatchLoggingOptions",
)

_update_destination = FirehoseBackend.update_destination


def _destination(backend: FirehoseBackend, name: str, destination_id: str) -> dict[str, Any] | None:
    stream = backend.delivery_streams.get(name)
    for destination in stream.destinations if stream else []:
        if destination["destination_id"] == destination_id:
            return destination
    return None


def update_destination(self: FirehoseBackend, delivery_stream_name: str, version_id: str, destination_id: str, *rest: Any) -> None:
    before = copy.deepcopy((_destination(self, delivery_stream_name, destination_id) or {}).get("S3"))
    _update_destination(self, delivery_stream_name, version_id, destination_id, *rest)
    destination = _destination(self, delivery_stream_name, destination_id)
    if destination is None:
        return
    for description in destination.values():
        if isinstance(description, dict):
            description.pop("S3Update", None)
            description.pop("S3BackupUpdate", None)
    extended_s3_update = rest[1] if len(rest) > 1 else None  # after s3_destination_update
    if extended_s3_update and before is not None:
        destination["S3"] = {**before, **{k: v for k, v in extended_s3_update.items() if k in S3_FIELDS}}


FirehoseBackend.update_destination = update_destination  # type: ignore[method-assign]
