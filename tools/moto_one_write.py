#!/usr/bin/env python3
"""``moto_server`` that sends each HTTP response in one write (same arguments as moto_server).

werkzeug writes a response's headers and its body separately. When the body reaches the
client in a later TCP segment, terraform's AWS SDK (aws-sdk-go-v2 >= 1.33, terraform >= 1.11)
can close the connection before reading it and resend the request (aws/aws-sdk-go-v2#2737,
retried since #2949). For the DynamoDB PutItem of a state lock the resend meets the lock the
first attempt took: terraform reports its own lock as held (hashicorp/terraform#16630).
Measured with 8-12 concurrent units on a 2-core machine: stock moto_server, 45 SDK retries
and 6 lock errors in 2511 applies; one write per response, 0 and 0 in 2080.
"""
import sys

from moto.moto_server.werkzeug_app import MotoRequestHandler
from moto.server import main

# A buffered wfile: werkzeug flushes once per response, so headers and body go in one send.
MotoRequestHandler.wbufsize = -1

if __name__ == "__main__":
    sys.exit(main())
