package qbosim

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Token lifetimes of Intuit's OAuth service.
const (
	accessTokenLife  = time.Hour
	refreshTokenLife = 100 * 24 * time.Hour
	codeLife         = 10 * time.Minute
	// AccountingScope is the scope every accounting call needs.
	AccountingScope = "com.intuit.quickbooks.accounting"
)

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// redirectAllowed reports whether uri may receive the sandbox app's codes:
// a loopback address (development keys), or one registered.
func (s *Sim) redirectAllowed(uri string) bool {
	if slices.Contains(s.redirects, uri) {
		return true
	}
	u, err := url.Parse(uri)
	if err != nil || u.Host == "" {
		return false
	}
	host := u.Hostname()
	ip := net.ParseIP(host)
	return strings.EqualFold(host, "localhost") || (ip != nil && ip.IsLoopback())
}

// authorize is the consent page: with no person to click, it grants the
// sandbox company at once and redirects with code, state and realmId.
func (s *Sim) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirect := q.Get("redirect_uri")
	switch {
	case q.Get("client_id") != SandboxClientID:
		http.Error(w, "The client_id is not recognised (invalid_client).", http.StatusBadRequest)
		return
	case !s.redirectAllowed(redirect):
		http.Error(w, "The redirect_uri is not registered for this app (invalid redirect_uri).", http.StatusBadRequest)
		return
	}
	back, _ := url.Parse(redirect)
	bq := back.Query()
	bq.Set("state", q.Get("state"))
	switch {
	case q.Get("response_type") != "code":
		bq.Set("error", "unsupported_response_type")
	case !slices.Contains(strings.Fields(q.Get("scope")), AccountingScope):
		bq.Set("error", "invalid_scope")
	default:
		code := "AB11" + randomToken(20)
		s.mu.Lock()
		s.st.Codes[code] = &grant{ClientID: SandboxClientID, RealmID: SandboxRealmID, RedirectURI: redirect, Expires: s.now().Add(codeLife)}
		s.mu.Unlock()
		bq.Set("code", code)
		bq.Set("realmId", SandboxRealmID)
	}
	back.RawQuery = bq.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func tokenFault(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}

// clientOK checks the Basic authorisation of the token endpoint.
func clientOK(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	raw, ok := strings.CutPrefix(h, "Basic ")
	if !ok {
		return false
	}
	dec, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return false
	}
	id, secret, _ := strings.Cut(string(dec), ":")
	id, _ = url.QueryUnescape(id)
	secret, _ = url.QueryUnescape(secret)
	return id == SandboxClientID && secret == SandboxClientSecret
}

// token exchanges a code or a refresh token. Each refresh issues a new
// refresh token; the one it replaces keeps working for the grace window.
func (s *Sim) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		tokenFault(w, http.StatusMethodNotAllowed, "invalid_request", "POST only")
		return
	}
	if !clientOK(r) {
		tokenFault(w, http.StatusUnauthorized, "invalid_client", "")
		return
	}
	if err := r.ParseForm(); err != nil {
		tokenFault(w, http.StatusBadRequest, "invalid_request", "")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.faults.tokenDown > 0 {
		s.faults.tokenDown--
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	now := s.now()
	var g *grant
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		code := r.PostForm.Get("code")
		c, ok := s.st.Codes[code]
		if !ok || now.After(c.Expires) || c.RedirectURI != r.PostForm.Get("redirect_uri") {
			tokenFault(w, http.StatusBadRequest, "invalid_grant", "")
			return
		}
		delete(s.st.Codes, code)
		g = c
	case "refresh_token":
		old, ok := s.st.Refresh[r.PostForm.Get("refresh_token")]
		graceOver := ok && !old.Replaced.IsZero() && now.After(old.Replaced.Add(s.limits.RefreshGraceFor))
		if !ok || old.Revoked || now.After(old.Expires) || graceOver {
			tokenFault(w, http.StatusBadRequest, "invalid_grant", "Incorrect or invalid refresh token")
			return
		}
		if old.Replaced.IsZero() {
			old.Replaced = now
		}
		g = old
	default:
		tokenFault(w, http.StatusBadRequest, "unsupported_grant_type", "")
		return
	}
	access := "eyJsim." + randomToken(24)
	refresh := "RT1-" + randomToken(20)
	s.st.Access[access] = &grant{ClientID: g.ClientID, RealmID: g.RealmID, Expires: now.Add(accessTokenLife)}
	s.st.Refresh[refresh] = &grant{ClientID: g.ClientID, RealmID: g.RealmID, Expires: now.Add(refreshTokenLife)}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"access_token": access, "refresh_token": refresh, "token_type": "bearer",
		"expires_in": int(accessTokenLife.Seconds()), "x_refresh_token_expires_in": int(refreshTokenLife.Seconds()),
	})
}

// revoke ends a refresh token (and the access tokens of its realm).
func (s *Sim) revoke(w http.ResponseWriter, r *http.Request) {
	if !clientOK(r) {
		tokenFault(w, http.StatusUnauthorized, "invalid_client", "")
		return
	}
	var body struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Token == "" {
		tokenFault(w, http.StatusBadRequest, "invalid_request", "")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	realm := ""
	if g, ok := s.st.Refresh[body.Token]; ok {
		g.Revoked, realm = true, g.RealmID
	}
	if g, ok := s.st.Access[body.Token]; ok {
		realm = g.RealmID
	}
	for tok, g := range s.st.Access {
		if g.RealmID == realm {
			delete(s.st.Access, tok)
		}
	}
	for _, g := range s.st.Refresh {
		if g.RealmID == realm {
			g.Revoked = true
		}
	}
	w.WriteHeader(http.StatusOK)
}

// IssueTokens signs the sandbox app in to realm without the browser, for
// tests and the in-process Sandbox; it returns a refresh token.
func (s *Sim) IssueTokens(realm string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	refresh := "RT1-" + randomToken(20)
	s.st.Refresh[refresh] = &grant{ClientID: SandboxClientID, RealmID: realm, Expires: s.now().Add(refreshTokenLife)}
	return refresh
}

// ExpireAccessTokens makes every access token issued so far expire.
func (s *Sim) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range s.st.Access {
		g.Expires = s.now().Add(-time.Second)
	}
}

// FailTokenRequests makes the next n token requests answer 503.
func (s *Sim) FailTokenRequests(n int) {
	s.mu.Lock()
	s.faults.tokenDown = n
	s.mu.Unlock()
}

// gatewayUnauthorized writes the API gateway's 401: an all-lower-case
// fault, unlike the API's own Fault bodies.
func gatewayUnauthorized(w http.ResponseWriter, detail string, now time.Time) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(http.StatusUnauthorized)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"warnings": nil, "intuitObject": nil,
		"fault": map[string]any{"error": []map[string]any{{
			"message": "message=AuthenticationFailed; errorCode=003200; statusCode=401",
			"detail":  detail, "code": "3200", "element": nil,
		}}, "type": "AUTHENTICATION"},
		"report": nil, "queryResponse": nil, "batchItemResponse": []any{}, "attachableResponse": []any{},
		"syncErrorResponse": nil, "requestId": nil, "time": now.UnixMilli(), "status": nil, "cdcresponse": []any{},
	})
}

// bearer checks the access token of an API request against realm; the
// caller holds s.mu.
func (s *Sim) bearerLocked(w http.ResponseWriter, r *http.Request, realm string) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		gatewayUnauthorized(w, "Malformed bearer token", s.now())
		return false
	}
	g, ok := s.st.Access[tok]
	switch {
	case !ok:
		gatewayUnauthorized(w, "Token invalid", s.now())
		return false
	case s.now().After(g.Expires):
		gatewayUnauthorized(w, "Token expired: "+tok[:min(len(tok), 12)]+"...", s.now())
		return false
	case g.RealmID != realm:
		writeFault(w, newFault(http.StatusForbidden, "AuthorizationFault", "3100", "ApplicationAuthorizationFailed",
			"message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403", ""), s.now())
		return false
	}
	return true
}
