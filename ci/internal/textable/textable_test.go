package textable

import "testing"

func TestPlainAligns(t *testing.T) {
	got := Plain([]string{"a", "bb"}, [][]string{{"long", "x\ny"}, {"s"}})
	want := "a     bb\n----  ---\nlong  x y\ns\n"
	if got != want {
		t.Fatalf("Plain:\n%q\nwant\n%q", got, want)
	}
}

func TestMarkdownEscapesPipes(t *testing.T) {
	got := Markdown([]string{"h"}, [][]string{{"a|b\nc"}})
	want := "| h |\n| --- |\n| a\\|b c |\n"
	if got != want {
		t.Fatalf("Markdown:\n%q\nwant\n%q", got, want)
	}
}
