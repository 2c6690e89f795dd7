package digest

import (
	"slices"
	"strings"
	"testing"
)

func TestSplitSentences(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"month abbreviation before a day",
			"The council met on Nov. 25 to vote. It agreed.",
			[]string{"The council met on Nov. 25 to vote.", "It agreed."}},
		{"U.S. before a lowercase word",
			"U.S. officials said the talks would resume. Nothing was agreed.",
			[]string{"U.S. officials said the talks would resume.", "Nothing was agreed."}},
		{"U.S. ending a sentence before The",
			"The company moved its headquarters to the U.S. The shift took a year.",
			[]string{"The company moved its headquarters to the U.S.", "The shift took a year."}},
		{"U.S. before a proper noun",
			"The U.S. Navy said it would send two ships to the strait.",
			[]string{"The U.S. Navy said it would send two ships to the strait."}},
		{"U.K. before a capital that continues a name",
			"The U.K. Treasury and the U.N. Security Council met. Both issued statements.",
			[]string{"The U.K. Treasury and the U.N. Security Council met.", "Both issued statements."}},
		{"titles before names",
			"Dr. Amara Fenn and Mrs. Ruth Pike met Gov. Hal Ortiz on Monday. Sen. Lia Ko was absent.",
			[]string{"Dr. Amara Fenn and Mrs. Ruth Pike met Gov. Hal Ortiz on Monday.", "Sen. Lia Ko was absent."}},
		{"military ranks and representatives",
			"Lt. Gen. Ana Ruiz and Rep. Joe Tam spoke first. Then the vote began.",
			[]string{"Lt. Gen. Ana Ruiz and Rep. Joe Tam spoke first.", "Then the vote began."}},
		{"company abbreviations inside a sentence",
			"Shares in Acme Corp. rose 4% after Tidewell Co. Ltd. agreed a deal. Analysts were surprised.",
			[]string{"Shares in Acme Corp. rose 4% after Tidewell Co. Ltd. agreed a deal.", "Analysts were surprised."}},
		{"company abbreviation ending a sentence",
			"The deal was signed by Harrow Foods Inc. The price was not disclosed.",
			[]string{"The deal was signed by Harrow Foods Inc.", "The price was not disclosed."}},
		{"Co. before an Irish county",
			"Flooding hit Co. Cork overnight. Roads were closed.",
			[]string{"Flooding hit Co. Cork overnight.", "Roads were closed."}},
		{"No. before a number",
			"The minister returned to No. 10 on Tuesday. Staff applauded.",
			[]string{"The minister returned to No. 10 on Tuesday.", "Staff applauded."}},
		{"decimals and money",
			"Inflation rose to 3.5% in October. The bank spent $4.2bn and sold bonds at £12.60 each. Markets fell 0.4.",
			[]string{"Inflation rose to 3.5% in October.", "The bank spent $4.2bn and sold bonds at £12.60 each.", "Markets fell 0.4."}},
		{"a number ending a sentence",
			"The death toll rose to 12. Officials expect it to rise.",
			[]string{"The death toll rose to 12.", "Officials expect it to rise."}},
		{"initials",
			"The novel by J. K. Rowling outsold a memoir by Mark A. Smith last year. Both were published in London.",
			[]string{"The novel by J. K. Rowling outsold a memoir by Mark A. Smith last year.", "Both were published in London."}},
		{"a single letter ending a sentence",
			"The board chose Plan B. The cost was lower.",
			[]string{"The board chose Plan B.", "The cost was lower."}},
		{"Jr. before a lowercase verb",
			"Martin Ortiz Jr. said the vote was close. Turnout was low.",
			[]string{"Martin Ortiz Jr. said the vote was close.", "Turnout was low."}},
		{"St. before a name",
			"Crowds gathered outside St. Mary's Church on Sunday. The bells rang.",
			[]string{"Crowds gathered outside St. Mary's Church on Sunday.", "The bells rang."}},
		{"vs. between teams",
			"Tonight it is Cork City vs. Shelbourne at Turner's Cross. Kick-off is at 7.45pm.",
			[]string{"Tonight it is Cork City vs. Shelbourne at Turner's Cross.", "Kick-off is at 7.45pm."}},
		{"e.g. before a capital",
			"Small vessels (e.g. Ferries and tugs) may sail. Large ones may not.",
			[]string{"Small vessels (e.g. Ferries and tugs) may sail.", "Large ones may not."}},
		{"a.m. ending a sentence before a capital",
			"The port closed at 11 a.m. Gusts reached 130km/h at the harbour mouth.",
			[]string{"The port closed at 11 a.m.", "Gusts reached 130km/h at the harbour mouth."}},
		{"a.m. before a day",
			"The warning lasts until 6 a.m. Wednesday for Cork and Kerry.",
			[]string{"The warning lasts until 6 a.m. Wednesday for Cork and Kerry."}},
		{"ellipses",
			"He paused… Then he left the room. She waited... and waited.",
			[]string{"He paused…", "Then he left the room.", "She waited... and waited."}},
		{"full stop inside curly quotes",
			"“We will win.” The crowd cheered.",
			[]string{"“We will win.”", "The crowd cheered."}},
		{"full stop inside straight quotes",
			`"We will win." The crowd cheered.`,
			[]string{`"We will win."`, "The crowd cheered."}},
		{"question in quotes, lowercase attribution",
			"“Why now?” she asked. Nobody answered.",
			[]string{"“Why now?” she asked.", "Nobody answered."}},
		{"exclamation in quotes, named attribution",
			"“Not again!” Ms Okafor said. The room fell silent.",
			[]string{"“Not again!” Ms Okafor said.", "The room fell silent."}},
		{"a plain question",
			"Will the ferry run? The board decides on Friday.",
			[]string{"Will the ferry run?", "The board decides on Friday."}},
		{"a sentence inside parentheses",
			"The firm declined to comment. (It had said the same in May.) Talks resume today.",
			[]string{"The firm declined to comment.", "(It had said the same in May.)", "Talks resume today."}},
		{"non-English names and initials",
			"The prize went to Ö. Pamuk and Şebnem Öztürk. Élodie Durand came second.",
			[]string{"The prize went to Ö. Pamuk and Şebnem Öztürk.", "Élodie Durand came second."}},
		{"web address and email",
			"Details are at www.harbour-ledger.example/fares. Questions go to desk@harbour-ledger.example before noon.",
			[]string{"Details are at www.harbour-ledger.example/fares.", "Questions go to desk@harbour-ledger.example before noon."}},
		{"brand with a lowercase start",
			"The deal was announced by eBay. eBay shares rose 3%.",
			[]string{"The deal was announced by eBay.", "eBay shares rose 3%."}},
		{"numbered list",
			"The plan has three steps. 1. Close the road. 2. Rebuild the bridge. 3. Reopen in May.",
			[]string{"The plan has three steps.", "1. Close the road.", "2. Rebuild the bridge.", "3. Reopen in May."}},
		{"numbered items inside a sentence",
			"There are two demands: 1. higher pay and 2. shorter shifts. The union votes today.",
			[]string{"There are two demands: 1. higher pay and 2. shorter shifts.", "The union votes today."}},
		{"bulleted items run into a paragraph",
			"The rules change in May. - Ferries must carry two crew. - Tickets go on sale a week ahead.",
			[]string{"The rules change in May.", "- Ferries must carry two crew.", "- Tickets go on sale a week ahead."}},
		{"a blank line ends a sentence",
			"Storm warning\n\nThe port is closed.",
			[]string{"Storm warning", "The port is closed."}},
		{"no final punctuation",
			"The port is closed",
			[]string{"The port is closed"}},
		{"white space only", " \n\t ", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SplitSentences(tt.text)
			if !slices.Equal(got, tt.want) {
				t.Errorf("SplitSentences(%q)\n got %q\nwant %q", tt.text, got, tt.want)
			}
			if words := strings.Fields(strings.Join(got, " ")); !slices.Equal(words, strings.Fields(tt.text)) {
				t.Errorf("joined sentences have words %q, want the text's %q", words, strings.Fields(tt.text))
			}
		})
	}
}

// FuzzSplitSentences checks, on any text, that sentences are non-empty and
// trimmed and that together they hold exactly the text's words.
func FuzzSplitSentences(f *testing.F) {
	f.Add("Dr. J. K. Rowling met U.S. officials at 11 a.m. The talks… “Why now?” she asked.")
	f.Add("The plan: 1. Close the road. 2. Reopen it.\n\n- One. - Two.")
	f.Fuzz(func(t *testing.T, text string) {
		got := SplitSentences(text)
		for _, s := range got {
			if s == "" || s != strings.TrimSpace(s) {
				t.Errorf("sentence %q is empty or untrimmed", s)
			}
		}
		if words := strings.Fields(strings.Join(got, " ")); !slices.Equal(words, strings.Fields(text)) {
			t.Errorf("joined sentences have words %q, want the text's %q", words, strings.Fields(text))
		}
	})
}
