package storage

import (
	"context"
	"errors"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"ledgerlink/connectors"
)

// ErrAlreadyInstalled means the module is already installed in this data
// folder; installing it again would overwrite its settings, so it is refused.
var ErrAlreadyInstalled = errors.New("module is already installed") // words:log: a kind for errors.Is; a person reads sayKind's words

// subSettings is the sub-bucket of a module bucket that holds its settings.
const subSettings = "settings"

// keyInstalledAt, inside a module's bucket, holds when it was installed.
var keyInstalledAt = []byte("installed_at")

// ModuleInfo describes an installed module.
type ModuleInfo struct {
	Name        string    `json:"name"`
	InstalledAt time.Time `json:"installed_at"`
}

// Install creates the module's storage and writes the schema's default
// values of its non-secret settings, all in one transaction: either the
// module is installed with its defaults or nothing changed.
//
// progress, when not nil, is told each step in plain words ("Creating
// storage for FakeBooks", "Writing default settings", "Done"). The first two are
// reported while the write is under way, so progress must return quickly
// and must not write to this database (hand the text to the screen and
// return).
func (db *DB) Install(ctx context.Context, def connectors.Definition, progress func(step string)) error {
	if progress == nil {
		progress = func(string) {}
	}
	if strings.TrimSpace(def.Name) == "" {
		return sayErr(nil, "storage.install.no_name")
	}
	title := moduleTitle(def)
	if err := ctx.Err(); err != nil {
		return err
	}
	// Fail fast, before any step is reported, when there is nothing to do.
	if _, installed, err := db.Installed(def.Name); err != nil {
		return err
	} else if installed {
		return sayKind(ErrAlreadyInstalled, nil, "storage.install.already", "Module", title)
	}
	say := db.Words()
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		root, err := tx.CreateBucketIfNotExists(bucketModules)
		if err != nil {
			return err
		}
		if root.Bucket([]byte(def.Name)) != nil {
			// Another caller installed it between the check and now.
			return sayKind(ErrAlreadyInstalled, nil, "storage.install.already", "Module", title)
		}
		progress(say.T("storage.install.creating", "Module", title))
		mb, err := root.CreateBucket([]byte(def.Name))
		if err != nil {
			return err
		}
		if err := mb.Put(keyInstalledAt, []byte(db.now().UTC().Format(time.RFC3339Nano))); err != nil {
			return err
		}
		progress(say.T("storage.install.defaults"))
		sb, err := mb.CreateBucket([]byte(subSettings))
		if err != nil {
			return err
		}
		for _, f := range def.Settings {
			if isSecretField(f) || strings.TrimSpace(f.Default) == "" {
				continue
			}
			if err := sb.Put([]byte(f.Key), []byte(strings.TrimSpace(f.Default))); err != nil {
				return err
			}
		}
		// A cancelled install commits nothing.
		return ctx.Err()
	})
	if err != nil {
		if errors.Is(err, ErrAlreadyInstalled) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		return sayErr(err, "storage.install.failed", "Module", title)
	}
	progress(say.T("storage.install.done"))
	return nil
}

// Uninstall deletes the module's bucket and with it everything the module
// owns in the database: settings, links, queues, logs. It returns
// ErrNotInstalled when the module is not installed.
//
// The module's secrets are not here (they never reach the database); the
// caller removes them from the keyring.
func (db *DB) Uninstall(ctx context.Context, module string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if _, err := moduleBucket(tx, module); err != nil {
			return err
		}
		return tx.Bucket(bucketModules).DeleteBucket([]byte(module))
	})
	if err != nil && !errors.Is(err, ErrNotInstalled) {
		return sayErr(err, "storage.uninstall.failed", "Module", module)
	}
	return err
}

// Installed reports whether module is installed and, if so, since when.
func (db *DB) Installed(module string) (ModuleInfo, bool, error) {
	var (
		info  ModuleInfo
		found bool
	)
	err := db.bolt.View(func(tx *bolt.Tx) error {
		mb, err := moduleBucket(tx, module)
		if errors.Is(err, ErrNotInstalled) {
			return nil
		}
		if err != nil {
			return err
		}
		found = true
		info, err = readModuleInfo(module, mb)
		return err
	})
	return info, found, err
}

// InstalledModules lists the installed modules, sorted by name.
func (db *DB) InstalledModules() ([]ModuleInfo, error) {
	var out []ModuleInfo
	err := db.bolt.View(func(tx *bolt.Tx) error {
		root := tx.Bucket(bucketModules)
		if root == nil {
			return nil
		}
		return root.ForEachBucket(func(name []byte) error {
			info, err := readModuleInfo(string(name), root.Bucket(name))
			if err != nil {
				return err
			}
			out = append(out, info)
			return nil
		})
	})
	return out, err
}

func readModuleInfo(module string, mb *bolt.Bucket) (ModuleInfo, error) {
	info := ModuleInfo{Name: module}
	raw := mb.Get(keyInstalledAt)
	if raw == nil {
		return info, nil
	}
	at, err := time.Parse(time.RFC3339Nano, string(raw))
	if err != nil {
		return info, sayErr(err, "storage.install.date_unreadable", "Module", module)
	}
	info.InstalledAt = at
	return info, nil
}

// moduleTitle is the name people see for the module.
func moduleTitle(def connectors.Definition) string {
	if t := strings.TrimSpace(def.Title); t != "" {
		return t
	}
	return def.Name
}

// isSecretField reports whether f belongs in the keyring. A field of kind
// secret counts even when its Secret flag was forgotten.
func isSecretField(f connectors.Field) bool {
	return f.Secret || f.Kind == connectors.KindSecret
}
