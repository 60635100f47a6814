"""Runs moto_server with this folder's patches loaded (README.md lists them).

Same arguments as moto_server. Each patch adds one operation moto lacks to
moto's own service, following the AWS API reference; the rest of the service
stays real moto.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import codebuild_update_project  # noqa: E402,F401  (patches on import)
import codepipeline_timestamps  # noqa: E402,F401
import stepfunctions_execution_role  # noqa: E402,F401
import stepfunctions_list_versions  # noqa: E402,F401
import stepfunctions_delete_version  # noqa: E402,F401
import iam_cfn_role_policies  # noqa: E402,F401
import apigateway_update_integration  # noqa: E402,F401
import apigatewayv2_get_authorizers  # noqa: E402,F401
import firehose_update_destination  # noqa: E402,F401
from moto.server import main  # noqa: E402

if __name__ == "__main__":
    main(sys.argv[1:])
