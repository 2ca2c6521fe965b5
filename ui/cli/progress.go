package cli

import (
	"fmt"
	"io"
	"os"
	stdsync "sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"ledgerlink/sync"
	"ledgerlink/sync/workspace"
	"ledgerlink/words"
)

// isTerminal reports whether w is a terminal a person watches.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// runProgress shows one module's run as the engine publishes it. On a
// terminal each stage gets a progress bar with its counts (a spinner while
// the count is unknown); elsewhere (a log file, cron) each stage is one
// line. The report printed at the end says the outcome either way.
type runProgress struct {
	out         io.Writer
	interactive bool
	w           *words.Words

	mu    stdsync.Mutex
	bar   *progressbar.ProgressBar
	step  string
	total int
	until time.Time
}

// followRun shows module's run on e.stderr until the returned function is
// called; with --json it shows nothing.
func (e *env) followRun(g *globalFlags, w *workspace.Workspace, module string) (stop func()) {
	if g.json {
		return func() {}
	}
	p := &runProgress{out: e.stderr, interactive: e.deps.terminal != nil && e.deps.terminal(e.stderr), w: e.words()}
	cancel := w.Engine.Subscribe(func(st sync.ModuleState) {
		if st.Module == module {
			p.show(st)
		}
	})
	return func() {
		cancel()
		p.close()
	}
}

// show follows one state.
func (p *runProgress) show(st sync.ModuleState) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !st.Busy() {
		p.closeLocked()
		return
	}
	if st.Step != p.step || st.Total != p.total {
		p.closeLocked()
		p.step, p.total = st.Step, st.Total
		if !p.interactive {
			if st.Total > 0 {
				fmt.Fprintf(p.out, "%s (%s)…\n", st.Step, p.w.Int(int64(st.Total)))
			} else {
				fmt.Fprintf(p.out, "%s…\n", st.Step)
			}
			return
		}
		max := int64(st.Total)
		if max <= 0 {
			max = -1 // a spinner: how many is not known yet
		}
		p.bar = progressbar.NewOptions64(max,
			progressbar.OptionSetWriter(p.out),
			progressbar.OptionSetDescription(st.Step),
			progressbar.OptionShowCount(),
			progressbar.OptionSetWidth(30),
			progressbar.OptionSetPredictTime(false),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(p.out) }),
			// The spinner turns with each state, not on a timer of its
			// own: a rendering goroutine would write to the terminal
			// between this one's lines.
			progressbar.OptionSetSpinnerChangeInterval(0),
		)
	}
	if st.Activity == sync.ActivityWaitingRateLimit && !st.Until.Equal(p.until) {
		p.until = st.Until
		msg := p.w.T("verbs.progress.slow_down", "At", p.w.Clock(st.Until.Local()))
		if p.bar != nil {
			p.bar.Describe(msg)
		} else {
			fmt.Fprintln(p.out, msg)
		}
	}
	if p.bar != nil {
		_ = p.bar.Set(st.Done)
	}
}

func (p *runProgress) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closeLocked()
}

func (p *runProgress) closeLocked() {
	if p.bar != nil {
		if p.total > 0 {
			_ = p.bar.Finish()
		} else {
			_ = p.bar.Exit()
			fmt.Fprintln(p.out)
		}
		p.bar = nil
	}
	p.step, p.total, p.until = "", 0, time.Time{}
}
