package cli

import (
	"context"
	"encoding/json"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/connectors/uniconta/unicontasim"
	"ledgerlink/storage"
	"ledgerlink/sync/workspace"
)

// startBinary starts the real ledgerlink binary with args and returns its
// output as it comes and a stop that interrupts it and waits for it.
func startBinary(t *testing.T, dataDir string, args ...string) (*lockedBuffer, func() error) {
	t.Helper()
	raw, err := json.Marshal(append(slices.Clone(args), "--data-dir", dataDir))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "LEDGERLINK_TEST_RUN_MAIN=1", "LEDGERLINK_TEST_ARGS_JSON="+string(raw))
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			return err
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			return <-done
		}
	}
	t.Cleanup(func() { _ = stop() })
	return out, stop
}

// TestE2EUnicontaChangeReachesLedgerLinkThroughTheEndpoint: a debtor
// renamed in Uniconta (the simulator, which calls the registered
// modification URL as Uniconta does) reaches the real binary's endpoint and
// is in LedgerLink within seconds, through one pass over that debtor; the
// day's calls are shown by `ledgerlink modules`.
func TestE2EUnicontaChangeReachesLedgerLinkThroughTheEndpoint(t *testing.T) {
	sim, err := unicontasim.New(unicontasim.WithAutoDelivery(100 * time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	notifyURL := "http://" + addr + "/uniconta/s3cret"

	c := realBinary{subprocess{t: t, dataDir: t.TempDir()}}
	wantExit(t, c.run("--sandbox", "install", "uniconta"), exitOK)
	wantExit(t, c.run("--sandbox", "config", "uniconta", "api_url="+srv.URL, "opt.notify_url="+notifyURL), exitOK)
	wantExit(t, c.run("--sandbox", "sync", "uniconta"), exitOK)
	if _, err := sim.AddChangeURL(unicontasim.SandboxCompany, notifyURL, 0, false); err != nil {
		t.Fatal(err)
	}

	out, stop := startBinary(t, c.dataDir, "--sandbox", "run", "--listen", addr)
	waitFor(t, 30*time.Second, "run to listen", func() bool { return strings.Contains(out.String(), "Receiving change calls on http://"+addr) })
	if !strings.Contains(out.String(), "is "+notifyURL) || !strings.Contains(out.String(), "cannot reach "+notifyURL) {
		t.Errorf("run should say the address to paste, and that a loopback address cannot be reached:\n%s", out)
	}
	if err := sim.EditInUniconta(unicontasim.SandboxCompany, "DebtorClient", "D9001", map[string]any{"Name": "Café Nørrebro Nord ApS"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "the change to reach LedgerLink", func() bool {
		return strings.Contains(out.String(), "uniconta: synced after the change calls: 1 record moved")
	})
	if err := stop(); err != nil {
		t.Fatalf("run did not stop cleanly: %v\n%s", err, out)
	}
	text := out.String()
	if n := strings.Count(text, "the package reported changes (Customers D9001)"); n != 1 {
		t.Errorf("%d passes for the change, want 1:\n%s", n, text)
	}

	db, err := storage.Open(workspace.SandboxDir(c.dataDir), storage.Options{LockTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	sr, err := db.Get(context.Background(), connectors.Customers, "D9001")
	db.Close()
	if err != nil || sr.Record.Party.Name != "Café Nørrebro Nord ApS" {
		t.Fatalf("D9001 in LedgerLink: %+v (%v), want the new name", sr.Record.Party, err)
	}

	o := c.run("--sandbox", "modules")
	wantExit(t, o, exitOK)
	m := regexp.MustCompile(`(?m)^\S+\s+uniconta\s.*Calls today: ([0-9,]+) of 50,000\.$`).FindStringSubmatch(o.stdout)
	if m == nil {
		t.Fatalf("modules should show the day's calls of the Sandbox's 50,000:\n%s", o.stdout)
	}
	// The syncs and the pass of the other processes were counted and kept.
	if n, _ := strconv.Atoi(strings.ReplaceAll(m[1], ",", "")); n < 10 {
		t.Errorf("%d calls today, after two runs and a pass:\n%s", n, o.stdout)
	}
}
