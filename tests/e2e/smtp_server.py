"""A real SMTP server on loopback for the email tests (PyPI aiosmtpd).

Usage: smtp_server.py PORT [--reject ADDRESS]... [--auth USER:PASSWORD] [--starttls CERT KEY]

Listens on 127.0.0.1:PORT (0: any free port), prints `listening <port>` once ready, then one
JSON line per message it accepts: {"mail_from", "rcpt_tos", "data"}. A recipient given with
--reject is refused with 550 (a permanent failure, as a mailbox that does not exist). With
--auth the server advertises AUTH PLAIN and LOGIN and requires them (allowed without TLS
because the server is on loopback). With --starttls the server offers STARTTLS with that
certificate and refuses mail until the client has started TLS. Stops when its standard input
closes.
"""

import json
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Handler:
    def __init__(self, rejected):
        self.rejected = {r.lower() for r in rejected}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.rejected:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        line = json.dumps(
            {
                "mail_from": envelope.mail_from,
                "rcpt_tos": envelope.rcpt_tos,
                "data": envelope.original_content.decode("utf-8", "replace"),
            }
        )
        print(line, flush=True)
        return "250 Message accepted for delivery"


def main():
    args = sys.argv[1:]
    port = int(args.pop(0))
    rejected, auth, tls = [], None, None
    while args:
        flag = args.pop(0)
        if flag == "--reject":
            rejected.append(args.pop(0))
        elif flag == "--auth":
            auth = args.pop(0)
        elif flag == "--starttls":
            tls = (args.pop(0), args.pop(0))
        else:
            raise SystemExit(f"unknown flag {flag}")
    kwargs = {}
    if auth:
        user, password = auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (
                isinstance(auth_data, LoginPassword)
                and auth_data.login.decode() == user
                and auth_data.password.decode() == password
            )
            return AuthResult(success=ok)

        kwargs = {"authenticator": authenticator, "auth_require_tls": False, "auth_required": True}
    if tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*tls)
        kwargs.update({"tls_context": context, "require_starttls": True})
    controller = Controller(Handler(rejected), hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    print(f"listening {controller.server.sockets[0].getsockname()[1]}", flush=True)
    try:
        sys.stdin.read()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
