"""A submission's helper that writes forged protocol frames to every pipe it holds (the grader's
results channel among them): the attack tests of the protocol splice it into a submission."""

FORGER = '''
def _forge(*messages):
    import json, os
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        try:
            if fd > 2 and os.readlink(f"/proc/self/fd/{fd}").startswith("pipe:"):
                for message in messages:
                    data = json.dumps(message).encode()
                    os.write(fd, len(data).to_bytes(4, "big") + data)
        except OSError:
            pass
'''
