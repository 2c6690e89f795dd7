package digest

// Personal are the values that make a copy of an edition one reader's.
type Personal struct {
	// Name is the reader's name, for the greeting; empty for none.
	Name string
	// UnsubscribeURL is the reader's one-click unsubscribe address.
	UnsubscribeURL string
	// ViewURL is the edition in the web archive.
	ViewURL string
}

// Copy is one reader's copy of an edition's email.
type Copy struct {
	Subject   string
	Preheader string
	HTML      string
	Text      string
}

// Personalizer makes reader's copies of an edition rendered once; the email
// renderer implements it.
type Personalizer interface {
	Personalize(Personal) (Copy, error)
}
