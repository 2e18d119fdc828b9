"""`aws` for callers of aws_cli_server.py: python3 -S aws_cli_client.py PORT <aws arguments...>

Sends the arguments, the environment and the working directory; prints the call's stdout and stderr and
exits with its code. Standard library only, so it starts in a few milliseconds."""
import json
import os
import socket
import struct
import sys


def recv_exact(conn, size):
    data = b''
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            sys.stderr.write('aws_cli_client: the aws CLI server closed the connection without an answer\n')
            sys.exit(255)
        data += chunk
    return data


def main():
    port, argv = int(sys.argv[1]), sys.argv[2:]
    conn = socket.create_connection(('127.0.0.1', port))
    body = json.dumps({'argv': argv, 'env': dict(os.environ), 'cwd': os.getcwd()}).encode()
    conn.sendall(struct.pack('>I', len(body)) + body)
    answer = json.loads(recv_exact(conn, struct.unpack('>I', recv_exact(conn, 4))[0]))
    sys.stdout.write(answer['stdout'])
    sys.stderr.write(answer['stderr'])
    sys.stdout.flush()
    sys.exit(answer['code'])


main()
