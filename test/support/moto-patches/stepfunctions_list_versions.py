"""Step Functions ListStateMachineVersions, which moto 5.2's default backend lacks.

Follows https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListStateMachineVersions.html:
`stateMachineArn` names the machine; the answer lists its published versions as
`{"stateMachineVersionArn", "creationDate"}`, newest first, under
`stateMachineVersions`; an unknown machine is StateMachineDoesNotExist. The
versions are the ones moto's own CreateStateMachine / UpdateStateMachine
(`publish`) made, so reset clears them with the machine. `maxResults` and
`nextToken` page the list as in moto's other Step Functions list calls.
"""
from moto.core.responses import ActionResult
from moto.stepfunctions.exceptions import StateMachineDoesNotExist
from moto.stepfunctions.responses import StepFunctionResponse


def list_state_machine_versions(self: StepFunctionResponse) -> ActionResult:
    arn = self._get_param("stateMachineArn")
    max_results = self._get_int_param("maxResults") or 1000
    start = int(self._get_param("nextToken") or 0)
    machine = next((m for m in self.stepfunction_backend.state_machines if m.arn == arn), None)
    if machine is None:
        raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{arn}'")
    versions = sorted(machine.versions.values(), key=lambda v: v.version, reverse=True)
    page = versions[start : start + max_results]
    response = {
        "stateMachineVersions": [
            {"stateMachineVersionArn": v.arn, "creationDate": v.creation_date} for v in page
        ]
    }
    if start + max_results < len(versions):
        response["nextToken"] = str(start + max_results)
    return ActionResult(response)


StepFunctionResponse.list_state_machine_versions = list_state_machine_versions  # type: ignore[attr-defined]
