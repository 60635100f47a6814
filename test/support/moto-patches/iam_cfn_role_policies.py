"""IAM roles made by CloudFormation: inline policies kept as JSON text.

moto 5.2's AWS::IAM::Role handler passes each `Policies[].PolicyDocument`
(a dict) to Role.put_policy unchanged, so GetRolePolicy answers Python's repr
(`{'Version': ...}`) instead of the URL-encoded JSON that IAM returns
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRolePolicy.html;
the property: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-iam-role.html#cfn-iam-role-policies).
This stores a dict as its JSON text, as PutRolePolicy would.
"""
import json

from moto.iam.models import Role

_put_policy = Role.put_policy


def _put_policy_as_json(self, policy_name, policy_json):
    if not isinstance(policy_json, str):
        policy_json = json.dumps(policy_json)
    _put_policy(self, policy_name, policy_json)


Role.put_policy = _put_policy_as_json
