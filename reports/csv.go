package reports

import (
	"bytes"
	"encoding/csv"
	"fmt"
)

// writeCSV writes header and rows to b as CSV (RFC 4180, as
// encoding/csv quotes it).
func writeCSV(b *bytes.Buffer, header []string, rows [][]string) error {
	w := csv.NewWriter(b)
	if err := w.Write(header); err != nil {
		return fmt.Errorf("reports: %v", err)
	}
	if err := w.WriteAll(rows); err != nil {
		return fmt.Errorf("reports: %v", err)
	}
	return nil
}
