package xerosim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// ListenAndServe serves sim on addr until ctx ends. It refuses any address
// that is not this computer's loopback (127.0.0.0/8, ::1 or localhost):
// the simulator has no security of its own.
func ListenAndServe(ctx context.Context, addr string, sim *Sim) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("the address %q must look like 127.0.0.1:8080: %w", addr, err)
	}
	if !isLoopback(host) {
		return fmt.Errorf("the simulator only listens on this computer (127.0.0.1), not on %q", host)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return err
	}
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return sim.Close()
}
