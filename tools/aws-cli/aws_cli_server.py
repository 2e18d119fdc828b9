"""The real aws CLI, without paying its start-up on every call.

Each `aws` process spends about a second of CPU importing awscli and botocore, listing every service and
building the EC2 command table before it sends one request; the claim script makes several calls per boot
and the rehearsal boots hundreds of nodes. This server builds the CLI driver once, then forks for every
connection: the child runs the same `CLIDriver.main(argv)` an `aws` process runs (same parsing, --query,
output, errors and exit codes), with the caller's environment, and answers with its stdout, stderr and
exit code. aws_cli_client.py is the `aws` command that talks to it. Stdin is not forwarded (the claim
script gives the CLI /dev/null).

Usage: python aws_cli_server.py  (prints the 127.0.0.1 port it listens on, then serves until its stdin closes)
"""
import json
import os
import signal
import socket
import struct
import sys
import tempfile
import threading

from awscli.clidriver import create_clidriver

# awscli sets AWS_DATA_PATH on import (where its own models live); a caller's environment replaces
# os.environ in the child, so this is put back.
AWSCLI_DATA_PATH = os.environ.get('AWS_DATA_PATH')


def warm_driver():
    driver = create_clidriver()
    # The service list and EC2's command table: the expensive part of every call, built once here.
    driver._get_command_table()['ec2']._get_command_table()
    driver.session.create_client('ec2', region_name='us-east-1', endpoint_url='http://127.0.0.1:9',
                                 aws_access_key_id='warm', aws_secret_access_key='warm')
    return driver


def recv_exact(conn, size):
    data = b''
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise EOFError('the client closed the connection')
        data += chunk
    return data


def send_message(conn, message):
    body = json.dumps(message).encode()
    conn.sendall(struct.pack('>I', len(body)) + body)


def run_call(driver, request):
    """In the forked child: the call as an `aws` process would make it; returns (code, stdout, stderr)."""
    os.environ.clear()
    os.environ.update(request['env'])
    if AWSCLI_DATA_PATH:
        os.environ['AWS_DATA_PATH'] = AWSCLI_DATA_PATH
    if request.get('cwd'):
        os.chdir(request['cwd'])
    # Credentials resolved while warming must not leak into a call: resolve them from this environment.
    driver.session._credentials = None
    out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(out.fileno(), 1)
    os.dup2(err.fileno(), 2)
    try:
        code = driver.main(request['argv'])
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException as e:  # what an aws process would print before dying
        print(f'{type(e).__name__}: {e}', file=sys.stderr)
        code = 255
    sys.stdout.flush()
    sys.stderr.flush()
    out.seek(0)
    err.seek(0)
    return code, out.read().decode('utf-8', 'replace'), err.read().decode('utf-8', 'replace')


def serve_connection(driver, conn):
    request = json.loads(recv_exact(conn, struct.unpack('>I', recv_exact(conn, 4))[0]))
    code, stdout, stderr = run_call(driver, request)
    send_message(conn, {'code': code, 'stdout': stdout, 'stderr': stderr})


def exit_with_parent():
    # The parent holds our stdin open; EOF means it is gone (even killed), so no server outlives it.
    sys.stdin.buffer.read()
    os._exit(0)


def main():
    threading.Thread(target=exit_with_parent, daemon=True).start()
    driver = warm_driver()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(('127.0.0.1', 0))
    server.listen(128)
    print(server.getsockname()[1], flush=True)
    while True:
        conn, _ = server.accept()
        if os.fork() == 0:
            server.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            try:
                serve_connection(driver, conn)
            except BaseException as e:
                print(f'aws_cli_server: {type(e).__name__}: {e}', file=sys.__stderr__, flush=True)
            finally:
                os._exit(0)
        conn.close()


if __name__ == '__main__':
    main()
