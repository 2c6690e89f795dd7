package digest

import (
	"strings"
	"testing"
)

// Sentences of an invented ferry story, with their word counts, to build
// leads whose length is known.
const (
	ferryRuns    = "The ferry will run three nights a week from March onwards."                                                          // 11 words
	ferryTickets = "Tickets will cost twelve pounds for adults."                                                                         // 7
	ferryFree    = "Children under five will travel free on every crossing."                                                             // 9
	ferryFirst   = "The first sailing leaves Port Alder at nine in the evening."                                                         // 11
	ferryLong    = "The board expects the new service to carry more than forty thousand passengers in its first full year of operation." // 20
	ferryLeans   = "It will also stop at Inishmore on Saturdays."                                                                        // 8, leans on the sentence before
)

func TestLead(t *testing.T) {
	const (
		fromFirst  = "first paragraph"
		filled     = "first paragraph; then the most central sentences of the next paragraphs"
		dekAnecdot = "standfirst: the first paragraph does not mention the headline's subject"
	)
	fares := "Ferry fares to rise 8% in January"
	faresDek := "The harbour board confirmed that ferry fares will rise by 8% from January, the largest increase in a decade."
	anecdote := "Margaret Doyle has made the crossing to the island every Friday for forty years, always with a flask of tea." // 20 words
	faresSaid := "The harbour board said on Tuesday that fares would rise by 8% from January."                                 // 14 words
	ransomQuote := "“We will not fund criminals,” the lender said in a statement."
	ransomNews := "Calder Mutual refused on Tuesday to pay a $4 million ransom to the hackers who stole its customers' data."

	tests := []struct {
		name   string
		title  string
		dek    string
		paras  []string
		budget int
		want   LeadResult
	}{
		{"outlet name and byline skipped", "Council votes to close island library", "",
			[]string{"The Meridian Times", "By Nell Arkwright", "The council voted on Tuesday to close the Skerry Island library after 80 years."}, 0,
			LeadResult{Text: "The council voted on Tuesday to close the Skerry Island library after 80 years.",
				Why: "first substantive paragraph, after an outlet name and a byline"}},
		{"staff and reporting-by lines skipped", "Housing target agreed", "",
			[]string{"Staff reporter", "Reporting by Tom Hale; editing by Ana Ruiz", "Ministers agreed a new housing target on Monday after months of argument."}, 0,
			LeadResult{Text: "Ministers agreed a new housing target on Monday after months of argument.",
				Why: "first substantive paragraph, after a byline"}},
		{"several kinds skipped, named in order", "Bakery fire", "",
			[]string{"By Nell Arkwright", "(Image: Getty)", "“We are devastated,” said the owner.", "A fire destroyed the Mill Lane bakery in Leeds early on Tuesday morning."}, 0,
			LeadResult{Text: "A fire destroyed the Mill Lane bakery in Leeds early on Tuesday morning.",
				Why: "first substantive paragraph, after a byline, a photo credit and a quotation"}},
		{"By opening a real sentence is no byline", "Council closes library", "",
			[]string{"By Tuesday evening, the council had voted to close the library and two swimming pools."}, 0,
			LeadResult{Text: "By Tuesday evening, the council had voted to close the library and two swimming pools.", Why: fromFirst}},
		{"dateline with an agency removed", "Budget approved", "",
			[]string{"LONDON (Wire Bulletin) — The council approved the budget on Tuesday after a five-hour debate."}, 0,
			LeadResult{Text: "The council approved the budget on Tuesday after a five-hour debate.", Why: "first paragraph; dateline removed"}},
		{"dateline with a date removed", "Ferries sail again", "",
			[]string{"PORT ALDER, Nov 25 — Ferry services resumed on Wednesday after three days of gales."}, 0,
			LeadResult{Text: "Ferry services resumed on Wednesday after three days of gales.", Why: "first paragraph; dateline removed"}},
		{"dateline alone skipped", "Housing target agreed", "",
			[]string{"LONDON —", "Ministers agreed a new housing target on Monday after months of argument."}, 0,
			LeadResult{Text: "Ministers agreed a new housing target on Monday after months of argument.",
				Why: "first substantive paragraph, after a dateline"}},
		{"Title Case words before a dash are no dateline", "Storm cuts power", "",
			[]string{"Hundreds — perhaps thousands — of residents lost power on Tuesday night after the storm."}, 0,
			LeadResult{Text: "Hundreds — perhaps thousands — of residents lost power on Tuesday night after the storm.", Why: fromFirst}},
		{"photo credit and caption skipped", "Warehouse fire", "",
			[]string{"(Image: Getty)", "Firefighters at the warehouse on Tuesday. Photograph: Jo Bell/Reuters",
				"A fire destroyed a carpet warehouse in Leeds on Tuesday, the fire service said."}, 0,
			LeadResult{Text: "A fire destroyed a carpet warehouse in Leeds on Tuesday, the fire service said.",
				Why: "first substantive paragraph, after a photo credit"}},
		{"picture-by credit and pictured caption skipped", "Footbridge opens", "",
			[]string{"Picture by Sam Reed", "Pictured: the new footbridge over the Lee",
				"Work on the new footbridge over the River Lee will finish in March, the council said."}, 0,
			LeadResult{Text: "Work on the new footbridge over the River Lee will finish in March, the council said.",
				Why: "first substantive paragraph, after a photo credit"}},
		{"read-more, sign-up and editor's note skipped", "Night ferry", "",
			[]string{"Read more: Ferry timetable changes", "Sign up for our morning briefing",
				"Editor’s note: This article was amended on 26 November to correct a date.",
				"The night ferry will run three times a week from March, the board said."}, 0,
			LeadResult{Text: "The night ferry will run three times a week from March, the board said.",
				Why: "first substantive paragraph, after a page notice"}},
		{"Advertisers opening a paragraph is text", "Television advertising", "",
			[]string{"Advertisers spent £2.1bn on television in the third quarter, up 4% on last year."}, 0,
			LeadResult{Text: "Advertisers spent £2.1bn on television in the third quarter, up 4% on last year.", Why: fromFirst}},
		{"subheading skipped", "Site plans", "",
			[]string{"What happens next", "The council will publish its plans for the site in the new year."}, 0,
			LeadResult{Text: "The council will publish its plans for the site in the new year.",
				Why: "first substantive paragraph, after a fragment"}},
		{"lone quotation skipped", "Calder Mutual refuses hackers' ransom", "",
			[]string{ransomQuote, ransomNews}, 0,
			LeadResult{Text: ransomNews, Why: "first substantive paragraph, after a quotation"}},
		{"quotation opening, standfirst used", "Calder Mutual refuses hackers' ransom",
			"The lender refused to pay a ransom after hackers stole the details of 1.2 million customers.",
			[]string{ransomQuote, ransomNews}, 0,
			LeadResult{Text: "The lender refused to pay a ransom after hackers stole the details of 1.2 million customers.",
				FromDek: true, Why: "standfirst: the first paragraph is a quotation"}},
		{"anecdotal opening, standfirst used", fares, faresDek,
			[]string{anecdote, faresSaid}, 0,
			LeadResult{Text: faresDek, FromDek: true, Why: dekAnecdot}},
		{"anecdotal opening, standfirst too short", fares, "Fares up 8%.",
			[]string{anecdote, faresSaid}, 0,
			LeadResult{Text: anecdote + " " + faresSaid, Why: filled}},
		{"anecdotal opening, standfirst no sentence", fares,
			"Harbour board confirms that ferry fares will rise by 8% from January in the largest increase for a decade",
			[]string{anecdote, faresSaid}, 0,
			LeadResult{Text: anecdote + " " + faresSaid, Why: filled}},
		{"first paragraph on the headline's subject, standfirst not used", fares, faresDek,
			[]string{"Ferry fares will rise by 8% from January, the harbour board said on Tuesday."}, 0,
			LeadResult{Text: "Ferry fares will rise by 8% from January, the harbour board said on Tuesday.", Why: fromFirst}},
		{"headline terms meet across word forms", "Japanese banks end takeover battle",
			"Sumitomo Mitsui has withdrawn its takeover offer for UFJ, ending the biggest banking battle in years.",
			[]string{"Japan's Sumitomo Mitsui Financial has withdrawn its offer for rival UFJ Holdings, clearing the way for a merger with Mitsubishi Tokyo."}, 0,
			LeadResult{Text: "Japan's Sumitomo Mitsui Financial has withdrawn its offer for rival UFJ Holdings, clearing the way for a merger with Mitsubishi Tokyo.", Why: fromFirst}},
		{"no substantive paragraph, standfirst used", "Night ferry",
			"The night ferry to Skerry Island will run three times a week from March.",
			[]string{"Advertisement", "By Staff Reporter"}, 0,
			LeadResult{Text: "The night ferry to Skerry Island will run three times a week from March.",
				FromDek: true, Why: "standfirst: no substantive paragraph"}},
		{"nothing substantive and no standfirst", "Bakery fire", "",
			[]string{"“We are devastated,” said the owner."}, 0,
			LeadResult{Text: "“We are devastated,” said the owner.", Why: "first paragraph, though none is substantive"}},
		{"first sentence over the budget cut at a word", "Night ferry", "",
			[]string{"The harbour board voted on Tuesday evening to extend the night ferry to Skerry Island despite rising fuel costs."}, 10,
			LeadResult{Text: "The harbour board voted on Tuesday evening to extend…", Why: "first paragraph; first sentence cut to fit"}},
		{"cut leaves no punctuation before the ellipsis", "Pay talks", "",
			[]string{"Ministers, unions and employers met on Monday, for the first time since May, to discuss pay."}, 7,
			LeadResult{Text: "Ministers, unions and employers met on Monday…", Why: "first paragraph; first sentence cut to fit"}},
		{"stops at a sentence end", "Night ferry", "",
			[]string{ferryRuns + " " + ferryTickets}, 15,
			LeadResult{Text: ferryRuns, Why: fromFirst}},
		{"continues into the next paragraph", "Night ferry", "",
			[]string{ferryRuns, ferryTickets}, 0,
			LeadResult{Text: ferryRuns + " " + ferryTickets, Why: filled}},
		{"a sentence too long passed over for a shorter one", "Night ferry", "",
			[]string{ferryRuns, ferryLong + " " + ferryTickets}, 25,
			LeadResult{Text: ferryRuns + " " + ferryTickets, Why: filled}},
		{"a sentence leaning on one left out is left out", "Night ferry", "",
			[]string{ferryRuns, ferryLong + " " + ferryLeans}, 30,
			LeadResult{Text: ferryRuns, Why: fromFirst}},
		{"the fill stays within the next two paragraphs", "Night ferry", "",
			[]string{ferryRuns, ferryTickets, ferryFree, ferryFirst}, 0,
			LeadResult{Text: strings.Join([]string{ferryRuns, ferryTickets, ferryFree}, " "), Why: filled}},
		{"a quotation between paragraphs is skipped", "Night ferry", "",
			[]string{ferryRuns, "“This is a lifeline for the island,” said Councillor Aoife Byrne.", ferryTickets}, 0,
			LeadResult{Text: ferryRuns + " " + ferryTickets, Why: filled}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &Article{Title: tt.title, Dek: tt.dek, Source: "The Meridian Times", Paragraphs: tt.paras}
			got := Lead(a, LeadOptions{MaxWords: tt.budget})
			if got != tt.want {
				t.Errorf("Lead\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestLeadDefaultBudget: MaxWords 0 is a budget of 60 words.
func TestLeadDefaultBudget(t *testing.T) {
	forty := "Alpha" + strings.Repeat(" alpha", 39) + "."
	twenty := "Beta" + strings.Repeat(" beta", 19) + "."
	a := &Article{Title: "Alpha", Paragraphs: []string{forty + " " + twenty}}
	tests := []struct {
		name   string
		budget int
		want   string
	}{
		{"zero is sixty: both sentences fit", 0, forty + " " + twenty},
		{"fifty-nine: only the first fits", 59, forty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Lead(a, LeadOptions{MaxWords: tt.budget}).Text; got != tt.want {
				t.Errorf("Lead = %q, want %q", got, tt.want)
			}
		})
	}
}

// FuzzLead checks, on any article, that the lead and the summary keep to
// the budget and that a lead comes with its reason.
func FuzzLead(f *testing.F) {
	f.Add("Ferry fares rise", "The board confirmed that fares rise by 8% from January for all crossings.",
		"By Nell Arkwright", "LONDON — "+ferryRuns+" "+ferryLong, "“It is a lifeline,” she said. "+ferryLeans, uint8(20))
	f.Fuzz(func(t *testing.T, title, dek, p1, p2, p3 string, b uint8) {
		budget := int(b)%80 + 1
		a := &Article{Title: title, Dek: dek, Paragraphs: cleanAll([]string{p1, p2, p3})}
		lead := Lead(a, LeadOptions{MaxWords: budget})
		if n := len(strings.Fields(lead.Text)); n > budget {
			t.Errorf("lead of %d words over the budget of %d: %q", n, budget, lead.Text)
		}
		if lead.Text != "" && lead.Why == "" {
			t.Errorf("lead %q without a reason", lead.Text)
		}
		if s := Summarize(a, budget); len(strings.Fields(s)) > budget {
			t.Errorf("summary of %d words over the budget of %d: %q", len(strings.Fields(s)), budget, s)
		}
	})
}
