package digest

import "time"

// SetLedgerTimeout shortens how long a run waits on the ledger's writes
// after a send, for a test; it returns the function that restores it.
func SetLedgerTimeout(d time.Duration) (restore func()) {
	old := ledgerTimeout
	ledgerTimeout = d
	return func() { ledgerTimeout = old }
}
