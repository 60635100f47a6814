"""Step Functions: an execution keeps the role it started with.

moto 5.2 answers GetExecutionHistory's ExecutionStarted event with the state
machine's role of the moment, so after UpdateStateMachine a running execution
seems to run as the new role. AWS keeps the old one: "Executions that are
currently running will continue to use the previous definition and roleArn"
(https://docs.aws.amazon.com/step-functions/latest/apireference/API_UpdateStateMachine.html),
and ExecutionStartedEventDetails.roleArn is the role the execution uses
(https://docs.aws.amazon.com/step-functions/latest/apireference/API_ExecutionStartedEventDetails.html).
This records the role at StartExecution and answers with it.
"""
from typing import Any

from moto.stepfunctions.models import Execution, StateMachine

_start = StateMachine.start_execution
_history = Execution.get_execution_history


def start_execution(self: StateMachine, *args: Any, **kwargs: Any) -> Execution:
    execution = _start(self, *args, **kwargs)
    if not hasattr(execution, "started_role_arn"):
        execution.started_role_arn = self.roleArn  # type: ignore[attr-defined]
    return execution


def get_execution_history(self: Execution, roleArn: str) -> list[dict[str, Any]]:
    return _history(self, getattr(self, "started_role_arn", roleArn))


StateMachine.start_execution = start_execution  # type: ignore[method-assign]
Execution.get_execution_history = get_execution_history  # type: ignore[method-assign]
