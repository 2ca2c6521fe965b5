package ui

import (
	"ledgerlink/storage"
	"ledgerlink/storage/secrets"
	"ledgerlink/sync"
)

// The engine, storage and keyring types main passes fit the window's
// interfaces; this file does not compile when they drift apart.
var (
	_ ModuleService                            = (*sync.Modules)(nil)
	_ SettingsStore                            = (*storage.DB)(nil)
	_ Workspace                                = (*storage.DB)(nil)
	_ Engine                                   = (*sync.Engine)(nil)
	_ Scheduler                                = (*sync.Scheduler)(nil)
	_ SecretStore                              = (secrets.Store)(nil)
	_ EventSource                              = (*Hub)(nil)
	_ func(string) (storage.BackupInfo, error) = storage.VerifyBackup
)
