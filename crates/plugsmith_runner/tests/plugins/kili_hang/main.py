import os
import subprocess
import sys
import time

from kili.plugins import PluginCore


class PluginHandler(PluginCore):
    def on_submit(self, label, asset_id):
        # A detached grandchild in its own session (escapes the process group).
        child = subprocess.Popen(
            [sys.executable, "-c",
             "import os, subprocess, sys, time\n"
             "p = subprocess.Popen(['sleep', '300'], start_new_session=True)\n"
             "open(sys.argv[1], 'w').write(str(p.pid))\n"
             "time.sleep(300)\n",
             os.environ["PLUGSMITH_TEST_PIDFILE"]],
        )
        while not os.path.exists(os.environ["PLUGSMITH_TEST_PIDFILE"]):
            time.sleep(0.01)
        wait_forever()


def wait_forever():
    time.sleep(300)
