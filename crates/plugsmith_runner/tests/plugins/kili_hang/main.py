import subprocess
import sys
import time

from kili.plugins import PluginCore


class PluginHandler(PluginCore):
    def on_submit(self, label, asset_id):
        # The asset id is a file path here: the test reads the pids written to it.
        pid_file = asset_id
        # A child that starts a detached grandchild in its own session (escapes the process group).
        subprocess.Popen(
            [sys.executable, "-c",
             "import os, subprocess, sys, time\n"
             "p = subprocess.Popen(['sleep', '300'], start_new_session=True)\n"
             "open(sys.argv[1] + '.tmp', 'w').write('%d %d' % (os.getpid(), p.pid))\n"
             "os.rename(sys.argv[1] + '.tmp', sys.argv[1])\n"
             "time.sleep(300)\n",
             pid_file],
        )
        wait_forever()


def wait_forever():
    time.sleep(300)
