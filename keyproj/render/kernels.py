"""The kernel pool of `keyproj render`: kernels started once, warmed up, reset before each report."""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from keyproj.paths import DATA_ENV, DataLayout
from keyproj.render.notebooks import error_line

if TYPE_CHECKING:
    from nbformat import NotebookNode

KERNEL_START_TIMEOUT = 120.0
WARM_UP_CODE = "import keyproj.render.in_kernel as _keyproj_kernel; _keyproj_kernel.warm_up()"
RESET_CODE = "import keyproj.render.in_kernel as _keyproj_kernel; _keyproj_kernel.fresh_namespace({cwd!r})"


class ReportFailure(Exception):
    """A report that could not be rendered; ``reason`` is one line, ``notebook`` what ran (if anything)."""

    def __init__(self, reason: str, notebook: "NotebookNode | None", kernel_broken: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.notebook = notebook
        self.kernel_broken = kernel_broken


class PooledKernel:
    """A kernel started once, with the report libraries imported, that runs one report after another."""

    def __init__(self, kernel_name: str, env: dict[str, str], cwd: Path) -> None:
        self.kernel_name = kernel_name
        self.env = env
        self.cwd = cwd
        self.km: Any = None
        self.kc: Any = None

    async def start(self) -> None:
        """Start the kernel and its client, then import the libraries of the reports."""
        from jupyter_client.manager import AsyncKernelManager

        self.km = AsyncKernelManager(kernel_name=self.kernel_name)
        await self.km.start_kernel(
            env=self.env, cwd=str(self.cwd),
            # ERROR: no warning about plain-TCP transport on loopback for every kernel started.
            extra_arguments=["--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=ERROR"],
        )
        self.kc = self.km.client()
        self.kc.start_channels()
        await self.kc.wait_for_ready(timeout=KERNEL_START_TIMEOUT)
        await self.run_silently(WARM_UP_CODE)

    async def run_silently(self, code: str, timeout: float = KERNEL_START_TIMEOUT) -> None:
        """Execute code without output or history; RuntimeError when it fails."""
        msg_id = self.kc.execute(code, silent=True, store_history=False, allow_stdin=False)
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RuntimeError(f"kernel did not answer within {timeout:.0f} s")
            reply = await self.kc.get_shell_msg(timeout=remaining)
            if reply.get("parent_header", {}).get("msg_id") == msg_id:
                break
        content = reply["content"]
        if content.get("status") != "ok":
            raise RuntimeError(f"{content.get('ename')}: {content.get('evalue')}")

    async def execute(self, nb: "NotebookNode", cwd: Path, cell_timeout: float) -> "NotebookNode":
        """Run every cell of ``nb`` in this kernel after resetting its namespace; ReportFailure on error."""
        from nbclient import NotebookClient
        from nbclient.exceptions import (
            CellExecutionError,
            CellTimeoutError,
            DeadKernelError,
        )

        try:
            await self.run_silently(RESET_CODE.format(cwd=str(cwd)))
        except Exception as error:
            raise ReportFailure(f"could not prepare the kernel: {error}", None, kernel_broken=True) from None
        client = NotebookClient(
            nb, km=self.km, timeout=cell_timeout, startup_timeout=KERNEL_START_TIMEOUT,
            kernel_name=self.kernel_name, allow_errors=False, record_timing=False,
            resources={"metadata": {"path": str(cwd)}},
        )
        client.kc = self.kc
        try:
            await client.async_execute()
        except CellExecutionError:
            raise ReportFailure(error_line(nb) or "a cell raised an error", nb) from None
        except CellTimeoutError:
            raise ReportFailure(f"a cell ran longer than {cell_timeout:.0f} s (timeout)", nb,
                                kernel_broken=True) from None
        except DeadKernelError:
            raise ReportFailure("the kernel died while running the notebook", nb, kernel_broken=True) from None
        return nb

    async def shutdown(self) -> None:
        """Stop the kernel and its channels."""
        try:
            if self.kc is not None:
                self.kc.stop_channels()
            if self.km is not None and self.km.has_kernel:
                await self.km.shutdown_kernel(now=True)
        except Exception:  # the kernel may already be gone
            pass
        finally:
            self.kc = None
            self.km = None


def kernel_environment(layout: DataLayout) -> dict[str, str]:
    """Environment of report kernels: this one, with KEYPROJ_DATA pointing at the data folder used."""
    env = dict(os.environ)
    env[DATA_ENV] = str(layout.root)
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    env.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    return env
