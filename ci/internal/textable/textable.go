// Package textable renders small tables as aligned plain text (for a
// terminal) and as GitHub-flavoured Markdown (for a step summary).
package textable

import (
	"strings"
	"unicode/utf8"
)

// Plain renders an aligned table, columns separated by two spaces, with a
// rule under the header (the style of kubectl and docker ps, so a row can be
// matched as "NAME<spaces>VALUE"). Cells are flattened to one line.
func Plain(header []string, rows [][]string) string {
	cols := len(header)
	width := make([]int, cols)
	all := append([][]string{header}, rows...)
	clean := make([][]string, len(all))
	for r, row := range all {
		clean[r] = make([]string, cols)
		for c := 0; c < cols; c++ {
			cell := ""
			if c < len(row) {
				cell = oneLine(row[c])
			}
			clean[r][c] = cell
			if n := utf8.RuneCountInString(cell); n > width[c] {
				width[c] = n
			}
		}
	}
	var b strings.Builder
	for r, row := range clean {
		var line strings.Builder
		for c, cell := range row {
			if c > 0 {
				line.WriteString("  ")
			}
			line.WriteString(cell)
			if c < cols-1 {
				line.WriteString(strings.Repeat(" ", width[c]-utf8.RuneCountInString(cell)))
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteString("\n")
		if r == 0 {
			for c := range header {
				if c > 0 {
					b.WriteString("  ")
				}
				b.WriteString(strings.Repeat("-", width[c]))
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// Markdown renders a GitHub-flavoured Markdown table, escaping "|" and
// flattening newlines in cells.
func Markdown(header []string, rows [][]string) string {
	var b strings.Builder
	writeRow := func(cells []string) {
		b.WriteString("|")
		for c := range header {
			cell := ""
			if c < len(cells) {
				cell = oneLine(cells[c])
			}
			b.WriteString(" ")
			b.WriteString(strings.ReplaceAll(cell, "|", `\|`))
			b.WriteString(" |")
		}
		b.WriteString("\n")
	}
	writeRow(header)
	b.WriteString("|")
	for range header {
		b.WriteString(" --- |")
	}
	b.WriteString("\n")
	for _, r := range rows {
		writeRow(r)
	}
	return b.String()
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\r\n", " ")
	s = strings.ReplaceAll(s, "\n", " ")
	s = strings.ReplaceAll(s, "\t", " ")
	return strings.TrimSpace(s)
}
