"""CodePipeline timestamps as the JSON 1.1 protocol sends them: epoch seconds.

moto 5.2 sends PipelineSummary.created/updated (ListPipelines) and
PipelineMetadata.created/updated (GetPipeline) as ISO 8601 text, which the AWS
SDKs refuse to read ("Expected real number"). AWS sends numbers
(https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_PipelineSummary.html,
https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_PipelineMetadata.html;
timestamps in awsJson1_1 are epoch seconds).
"""
from typing import Any

from moto.codepipeline.models import CodePipeline
from moto.core.utils import unix_time


def metadata(self: CodePipeline) -> dict[str, Any]:
    return {"pipelineArn": self._arn, "created": unix_time(self._created), "updated": unix_time(self._updated)}


CodePipeline.metadata = property(metadata)  # type: ignore[assignment,method-assign]
