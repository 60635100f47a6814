"""CodeBuild UpdateProject, which moto 5 does not implement.

Follows https://docs.aws.amazon.com/codebuild/latest/APIReference/API_UpdateProject.html:
`name` names the project (a name or an ARN); every other field given replaces
the project's value of that field, fields not given keep theirs; the answer is
`{"project": <the project>}`; an unknown project is ResourceNotFoundException.
"""
import json
from typing import Any

from moto.codebuild.exceptions import InvalidInputException, ResourceNotFoundException
from moto.codebuild.responses import CodeBuildResponse
from moto.core.utils import unix_time
from moto.utilities.utils import get_partition

# Fields of the UpdateProject request that a project carries under the same name.
_FIELDS = (
    "description",
    "source",
    "secondarySources",
    "sourceVersion",
    "secondarySourceVersions",
    "artifacts",
    "secondaryArtifacts",
    "cache",
    "environment",
    "serviceRole",
    "timeoutInMinutes",
    "queuedTimeoutInMinutes",
    "encryptionKey",
    "tags",
    "vpcConfig",
    "badgeEnabled",
    "logsConfig",
    "fileSystemLocations",
    "buildBatchConfig",
    "concurrentBuildLimit",
    "autoRetryLimit",
)


def _find(backend: Any, name: str) -> Any:
    if name in backend.codebuild_projects:
        return backend.codebuild_projects[name]
    for project in backend.codebuild_projects.values():
        if project.arn == name:
            return project
    return None


def update_project(self: CodeBuildResponse) -> str:
    name = self._get_param("name")
    if not name:
        raise InvalidInputException("Project name is required")
    project = _find(self.codebuild_backend, name)
    if project is None:
        raise ResourceNotFoundException(
            f"Project cannot be found: arn:{get_partition(self.region)}:codebuild:{self.region}:{self.current_account}:project/{name}"
        )
    meta = project.project_metadata
    for field in _FIELDS:
        value = self._get_param(field)
        if value is None:
            continue
        if field == "serviceRole":
            # A bare name is stored as AWS stores it, an ARN under service-role/ (as moto's CreateProject does).
            role = value if value.startswith("arn:") else (
                f"arn:{get_partition(self.region)}:iam::{self.current_account}:role/service-role/{value}"
            )
            project.service_role = value
            meta["serviceRole"] = role
        elif field == "badgeEnabled":
            meta["badge"] = {"badgeEnabled": bool(value)}
        else:
            meta[field] = value
            if field == "tags":
                project.tags = value
    meta["lastModifiedDate"] = unix_time()
    return json.dumps({"project": meta})


CodeBuildResponse.update_project = update_project  # type: ignore[attr-defined]
