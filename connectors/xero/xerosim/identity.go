package xerosim

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// grant is one chain of rotating refresh tokens.
type grant struct {
	ClientID string   `json:"client_id"`
	Scopes   []string `json:"scopes"`
	Current  string   `json:"current"`
	// Previous is the refresh token just rotated out; it is still
	// accepted until PreviousUntil, and answers with Current.
	Previous      string    `json:"previous,omitempty"`
	PreviousUntil time.Time `json:"previous_until,omitzero"`
	Expires       time.Time `json:"expires"`
	Revoked       bool      `json:"revoked,omitempty"`
}

type connection struct {
	ID       string    `json:"id"`
	TenantID string    `json:"tenant_id"`
	Created  time.Time `json:"created"`
	Updated  time.Time `json:"updated"`
}

type authCode struct {
	ClientID    string    `json:"client_id"`
	RedirectURI string    `json:"redirect_uri"`
	Challenge   string    `json:"challenge"`
	Scopes      []string  `json:"scopes"`
	Expires     time.Time `json:"expires"`
	Tenants     []string  `json:"tenants"`
}

type accessToken struct {
	ClientID string    `json:"client_id"`
	Scopes   []string  `json:"scopes"`
	Expires  time.Time `json:"expires"`
	// Tenant is set for custom connections (one organisation).
	Tenant string `json:"tenant,omitempty"`
}

// knownScopes are the scopes the identity service grants.
var knownScopes = map[string]bool{
	"openid": true, "profile": true, "email": true, "offline_access": true,
	"accounting.transactions": true, "accounting.transactions.read": true,
	"accounting.reports.read": true, "accounting.journals.read": true,
	"accounting.settings": true, "accounting.settings.read": true,
	"accounting.contacts": true, "accounting.contacts.read": true,
	"accounting.attachments": true, "accounting.attachments.read": true,
	"accounting.invoices": true, "accounting.invoices.read": true,
	"accounting.payments": true, "accounting.payments.read": true,
	"accounting.banktransactions": true, "accounting.banktransactions.read": true,
	"accounting.manualjournals": true, "accounting.manualjournals.read": true,
	"accounting.budgets.read": true,
}

// broadScopes are refused to apps made since March 2026.
var broadScopes = map[string]bool{
	"accounting.transactions": true, "accounting.transactions.read": true, "accounting.reports.read": true,
}

// checkScopes returns the OAuth error for a scope request, or "".
func checkScopes(app App, scopes []string) string {
	for _, sc := range scopes {
		if !knownScopes[sc] || (app.Granular && broadScopes[sc]) {
			return "invalid_scope"
		}
	}
	return ""
}

// redirectAllowed applies exact matching, except that a registered
// loopback redirect accepts any port (RFC 8252 section 7.3).
func redirectAllowed(app App, redirect string) bool {
	u, err := url.Parse(redirect)
	if err != nil || u.Scheme == "" {
		return false
	}
	for _, reg := range app.RedirectURIs {
		if reg == redirect {
			return true
		}
		r, err := url.Parse(reg)
		if err != nil {
			continue
		}
		if r.Scheme == "http" && u.Scheme == "http" && isLoopback(r.Hostname()) && r.Hostname() == u.Hostname() && r.Path == u.Path {
			return true
		}
	}
	return false
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// serveAuthorize is the browser step: GET shows the consent page, POST
// (the Allow button) redirects to redirect_uri with code and state.
func (s *Sim) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeAuthPage(w, http.StatusBadRequest, "The sign-in request could not be read.")
		return
	}
	q := r.Form
	clientID, redirect, state := q.Get("client_id"), q.Get("redirect_uri"), q.Get("state")
	s.mu.Lock()
	app, ok := s.st.Apps[clientID]
	tenants := make([]*tenant, len(s.st.Tenants))
	copy(tenants, s.st.Tenants)
	s.mu.Unlock()
	if !ok {
		writeAuthPage(w, http.StatusBadRequest, "unauthorized_client: the app's client ID is not known.")
		return
	}
	if !redirectAllowed(app, redirect) {
		writeAuthPage(w, http.StatusBadRequest, "Invalid redirect_uri: it is not registered for this app.")
		return
	}
	back := func(params url.Values) {
		u, _ := url.Parse(redirect)
		qq := u.Query()
		for k, v := range params {
			qq[k] = v
		}
		if state != "" {
			qq.Set("state", state)
		}
		u.RawQuery = qq.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
	}
	if q.Get("response_type") != "code" {
		back(url.Values{"error": {"unsupported_response_type"}})
		return
	}
	scopes := strings.Fields(q.Get("scope"))
	if e := checkScopes(app, scopes); e != "" {
		back(url.Values{"error": {e}})
		return
	}
	challenge, method := q.Get("code_challenge"), q.Get("code_challenge_method")
	if app.ClientSecret == "" && (challenge == "" || method != "S256") {
		// A public app must use PKCE with S256.
		back(url.Values{"error": {"invalid_request"}, "error_description": {"code_challenge with code_challenge_method=S256 is required"}})
		return
	}
	if r.Method == http.MethodGet {
		var b strings.Builder
		b.WriteString(`<!doctype html><title>Xero (simulated)</title><body style="font-family:sans-serif"><h1>Allow access?</h1><form method="post">`)
		for k, vs := range q {
			for _, v := range vs {
				fmt.Fprintf(&b, `<input type="hidden" name="%s" value="%s">`, html.EscapeString(k), html.EscapeString(v))
			}
		}
		for _, t := range tenants {
			fmt.Fprintf(&b, `<label><input type="checkbox" name="tenant" value="%s" checked> %s</label><br>`,
				html.EscapeString(t.Organisation.OrganisationID), html.EscapeString(t.Organisation.Name))
		}
		b.WriteString(`<button name="consent" value="allow">Allow access</button> <button name="consent" value="deny">Cancel</button></form>`)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(b.String()))
		return
	}
	if q.Get("consent") != "allow" {
		back(url.Values{"error": {"access_denied"}})
		return
	}
	chosen := q["tenant"]
	if len(chosen) == 0 {
		for _, t := range tenants {
			chosen = append(chosen, t.Organisation.OrganisationID)
		}
	}
	code := randomToken(24)
	s.mu.Lock()
	s.st.Codes[code] = &authCode{ClientID: clientID, RedirectURI: redirect, Challenge: challenge, Scopes: scopes,
		Expires: s.now().Add(authCodeLifetime), Tenants: chosen}
	s.saveLocked()
	s.mu.Unlock()
	back(url.Values{"code": {code}})
}

func writeAuthPage(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!doctype html><title>Xero (simulated)</title><p>%s</p>", html.EscapeString(msg))
}

func randomToken(n int) string {
	return strings.ReplaceAll(newID()+newID(), "-", "")[:min(n*2, 64)]
}

type tokenAnswer struct {
	AccessToken  string `json:"access_token"`
	ExpiresIn    int    `json:"expires_in"`
	TokenType    string `json:"token_type"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Scope        string `json:"scope"`
	IDToken      string `json:"id_token,omitempty"`
}

func writeOAuthError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	body := map[string]string{"error": code}
	if desc != "" {
		body["error_description"] = desc
	}
	json.NewEncoder(w).Encode(body)
}

// serveToken is POST /connect/token: authorization_code (with PKCE),
// refresh_token (rotating, with a grace window for the previous token) and
// client_credentials (custom connections).
func (s *Sim) serveToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeOAuthError(w, http.StatusMethodNotAllowed, "invalid_request", "use POST")
		return
	}
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "the form could not be read")
		return
	}
	clientID, secret, hasBasic := r.BasicAuth()
	if !hasBasic {
		clientID, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	app, ok := s.st.Apps[clientID]
	if !ok || (app.ClientSecret != "" && secret != app.ClientSecret) {
		writeOAuthError(w, http.StatusBadRequest, "invalid_client", "")
		return
	}
	now := s.now()
	var answer tokenAnswer
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		code := s.st.Codes[r.PostForm.Get("code")]
		delete(s.st.Codes, r.PostForm.Get("code"))
		if code == nil || code.ClientID != clientID || now.After(code.Expires) || code.RedirectURI != r.PostForm.Get("redirect_uri") {
			writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "")
			return
		}
		if code.Challenge != "" {
			sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
			if base64.RawURLEncoding.EncodeToString(sum[:]) != code.Challenge {
				writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "code_verifier does not match the code_challenge")
				return
			}
		}
		for _, t := range code.Tenants {
			s.connectLocked(clientID, t, now)
		}
		answer = s.issueLocked(clientID, code.Scopes, "", now)
		if slices.Contains(code.Scopes, "offline_access") {
			rt := randomToken(32)
			s.st.Grants[rt] = &grant{ClientID: clientID, Scopes: code.Scopes, Current: rt, Expires: now.Add(RefreshTokenLifetime)}
			answer.RefreshToken = rt
		}
		if slices.Contains(code.Scopes, "openid") {
			answer.IDToken = "sim-id-token." + randomToken(8)
		}
	case "refresh_token":
		presented := r.PostForm.Get("refresh_token")
		g := s.findGrantLocked(presented)
		if g == nil || g.ClientID != clientID || g.Revoked || now.After(g.Expires) {
			writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "")
			return
		}
		switch presented {
		case g.Current:
			// Rotate: the presented token becomes the previous one, still
			// good for the grace window.
			next := randomToken(32)
			delete(s.st.Grants, g.Current)
			g.Previous, g.PreviousUntil = g.Current, now.Add(RefreshGraceWindow)
			g.Current, g.Expires = next, now.Add(RefreshTokenLifetime)
			s.st.Grants[next] = g
		case g.Previous:
			if now.After(g.PreviousUntil) {
				writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "")
				return
			}
		}
		answer = s.issueLocked(clientID, g.Scopes, "", now)
		answer.RefreshToken = g.Current
	case "client_credentials":
		if app.ClientSecret == "" || app.CustomTenant == "" {
			writeOAuthError(w, http.StatusBadRequest, "unauthorized_client", "")
			return
		}
		scopes := strings.Fields(r.PostForm.Get("scope"))
		if len(scopes) == 0 {
			scopes = []string{"accounting.contacts", "accounting.invoices", "accounting.payments", "accounting.settings"}
		}
		if e := checkScopes(app, scopes); e != "" {
			writeOAuthError(w, http.StatusBadRequest, e, "")
			return
		}
		s.connectLocked(clientID, app.CustomTenant, now)
		answer = s.issueLocked(clientID, scopes, app.CustomTenant, now)
	default:
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type", "")
		return
	}
	s.saveLocked()
	if s.faults.dropToken > 0 {
		s.faults.dropToken--
		panic(http.ErrAbortHandler)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(answer)
}

// findGrantLocked finds the grant a refresh token belongs to, whether it
// is the current token or the one just rotated out.
func (s *Sim) findGrantLocked(token string) *grant {
	if token == "" {
		return nil
	}
	if g, ok := s.st.Grants[token]; ok {
		return g
	}
	for _, g := range s.st.Grants {
		if g.Previous == token {
			return g
		}
	}
	return nil
}

func (s *Sim) issueLocked(clientID string, scopes []string, tenant string, now time.Time) tokenAnswer {
	at := "sim-at." + randomToken(24)
	s.st.Access[at] = &accessToken{ClientID: clientID, Scopes: scopes, Expires: now.Add(AccessTokenLifetime), Tenant: tenant}
	// Forget long-expired access tokens so the state stays small.
	for k, a := range s.st.Access {
		if now.Sub(a.Expires) > 24*time.Hour {
			delete(s.st.Access, k)
		}
	}
	return tokenAnswer{AccessToken: at, ExpiresIn: int(AccessTokenLifetime / time.Second), TokenType: "Bearer", Scope: strings.Join(scopes, " ")}
}

func (s *Sim) connectLocked(clientID, tenantID string, now time.Time) {
	if s.tenantLocked(tenantID) == nil {
		return
	}
	for _, c := range s.st.Connections[clientID] {
		if c.TenantID == tenantID {
			c.Updated = now
			return
		}
	}
	s.st.Connections[clientID] = append(s.st.Connections[clientID], &connection{ID: newID(), TenantID: tenantID, Created: now, Updated: now})
}

// bearerLocked checks the Authorization header and returns the token.
func (s *Sim) bearerLocked(r *http.Request) (*accessToken, string, string) {
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || tok == "" {
		return nil, "", "AuthenticationUnsuccessful"
	}
	a := s.st.Access[tok]
	if a == nil {
		return nil, tok, "AuthenticationUnsuccessful"
	}
	if !s.now().Before(a.Expires) {
		return nil, tok, "TokenExpired: token expired at " + a.Expires.UTC().Format("01/02/2006 15:04:05")
	}
	return a, tok, ""
}

func writeProblem(w http.ResponseWriter, status int, title, detail string) {
	w.Header().Set("Content-Type", "application/json")
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	}
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{
		"Type": nil, "Title": title, "Status": status, "Detail": detail, "Instance": newID(), "Extensions": map[string]any{},
	})
}

type connectionJSON struct {
	ID             string `json:"id"`
	AuthEventID    string `json:"authEventId"`
	TenantID       string `json:"tenantId"`
	TenantType     string `json:"tenantType"`
	TenantName     string `json:"tenantName"`
	CreatedDateUTC string `json:"createdDateUtc"`
	UpdatedDateUTC string `json:"updatedDateUtc"`
}

// serveConnections is GET /connections and DELETE /connections/{id}.
func (s *Sim) serveConnections(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, _, problem := s.bearerLocked(r)
	if a == nil {
		writeProblem(w, http.StatusUnauthorized, "Unauthorized", problem)
		return
	}
	conns := s.st.Connections[a.ClientID]
	id := strings.Trim(strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/connections"), "/Connections"), "/")
	switch {
	case r.Method == http.MethodGet && id == "":
		out := []connectionJSON{}
		for _, c := range conns {
			if a.Tenant != "" && c.TenantID != a.Tenant {
				continue
			}
			t := s.tenantLocked(c.TenantID)
			if t == nil {
				continue
			}
			out = append(out, connectionJSON{ID: c.ID, AuthEventID: c.ID, TenantID: c.TenantID, TenantType: "ORGANISATION",
				TenantName: t.Organisation.Name, CreatedDateUTC: c.Created.UTC().Format("2006-01-02T15:04:05.0000000"),
				UpdatedDateUTC: c.Updated.UTC().Format("2006-01-02T15:04:05.0000000")})
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(out)
	case r.Method == http.MethodDelete && id != "":
		for i, c := range conns {
			if c.ID == id {
				s.st.Connections[a.ClientID] = slices.Delete(conns, i, i+1)
				if len(s.st.Connections[a.ClientID]) == 0 {
					// With no organisation left, the sign-in itself ends.
					for _, g := range s.st.Grants {
						if g.ClientID == a.ClientID {
							g.Revoked = true
						}
					}
				}
				s.saveLocked()
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		writeNotFound(w)
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

// connectedLocked reports whether the token may reach tenantID.
func (s *Sim) connectedLocked(a *accessToken, tenantID string) bool {
	if a.Tenant != "" {
		return a.Tenant == tenantID
	}
	for _, c := range s.st.Connections[a.ClientID] {
		if c.TenantID == tenantID {
			return true
		}
	}
	return false
}
