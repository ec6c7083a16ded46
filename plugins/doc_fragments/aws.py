# -*- coding: utf-8 -*-
# Copyright: groundwork.terraform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options of AWS_CONNECTION_SPEC (plugins/module_utils/aws.py), shared by every AWS plugin."""
from __future__ import annotations


class ModuleDocFragment(object):

    DOCUMENTATION = r"""
options:
  region:
    description:
      - The AWS region, for example C(us-east-1).
      - When omitted, the E(AWS_REGION) or E(AWS_DEFAULT_REGION) environment variable is used.
    type: str
    aliases: [aws_region]
  profile:
    description:
      - A named profile from the AWS shared config/credentials files.
      - When omitted, E(AWS_PROFILE) and the rest of the standard AWS credential chain apply.
    type: str
    aliases: [aws_profile]
  access_key:
    description:
      - AWS access key id.
      - When omitted, E(AWS_ACCESS_KEY_ID) and the rest of the standard AWS credential chain apply.
    type: str
    aliases: [aws_access_key_id]
  secret_key:
    description:
      - AWS secret access key; never logged.
      - When omitted, E(AWS_SECRET_ACCESS_KEY) and the rest of the standard AWS credential chain apply.
    type: str
    aliases: [aws_secret_access_key]
  session_token:
    description:
      - AWS session token for temporary credentials; never logged.
      - When omitted, E(AWS_SESSION_TOKEN) applies.
    type: str
    aliases: [aws_session_token]
  endpoint_url:
    description:
      - URL of an AWS-compatible endpoint to use instead of AWS, for example LocalStack or moto on
        C(http://127.0.0.1:4566). S3 then uses path-style addressing.
      - When omitted, E(AWS_ENDPOINT_URL) applies.
    type: str
    aliases: [aws_endpoint_url]
notes:
  - Credentials are resolved as boto3 does; the standard AWS environment variables work.
  - E(AWS_MAX_ATTEMPTS) sets how often a failing AWS call is tried (default 6).
requirements:
  - boto3
  - botocore
"""
