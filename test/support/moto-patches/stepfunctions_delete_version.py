"""Step Functions DeleteStateMachineVersion, which moto 5.2's default backend lacks.

Follows https://docs.aws.amazon.com/step-functions/latest/apireference/API_DeleteStateMachineVersion.html:
`stateMachineVersionArn` names the version; it is removed from its machine
(its number is never reused: moto's own counter keeps counting); the answer is
empty. "You can't delete a state machine version currently referenced by one
or more aliases": that is refused with ValidationException and changes nothing.
A version that does not exist (or is already deleted) answers empty too, as
moto's DeleteStateMachine does for a machine.
"""
from moto.core.responses import ActionResult, EmptyResult
from moto.stepfunctions.exceptions import ValidationException
from moto.stepfunctions.responses import StepFunctionResponse


def delete_state_machine_version(self: StepFunctionResponse) -> ActionResult:
    arn = self._get_param("stateMachineVersionArn")
    machine_arn, _, number = arn.rpartition(":")
    machine = next((m for m in self.stepfunction_backend.state_machines if m.arn == machine_arn), None)
    if machine is None or not number.isnumeric() or int(number) not in machine.versions:
        return EmptyResult()
    for alias in machine.aliases.values():
        if any(r["stateMachineVersionArn"] == arn for r in alias.routing_configuration):
            raise ValidationException(f"Version {arn} is referenced by alias {alias.arn}")
    version = machine.versions.pop(int(number))
    if machine.latest_version is version:
        machine.latest_version = max(machine.versions.values(), key=lambda v: v.version, default=None)
    return EmptyResult()


StepFunctionResponse.delete_state_machine_version = delete_state_machine_version  # type: ignore[attr-defined]
