"""The recorder's local socket: wire format, server, commands, reader."""
