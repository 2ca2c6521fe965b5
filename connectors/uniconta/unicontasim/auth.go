package unicontasim

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

func (s *Sim) token() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// jwt makes a token shaped like the WebAPI's (header.payload.signature,
// base64url) whose payload carries the expiry as "exp".
func (s *Sim) jwt(login string, exp time.Time) string {
	enc := base64.RawURLEncoding
	head := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	payload, _ := json.Marshal(map[string]any{"unique_name": login, "exp": exp.Unix(), "jti": s.token()})
	return head + "." + enc.EncodeToString(payload) + "." + enc.EncodeToString([]byte(s.token()))
}

type loginAnswer struct {
	Token              string `json:"token"`
	RefreshToken       string `json:"refreshToken"`
	RefreshTokenExpiry string `json:"refreshTokenExpiry"`
}

// splitUsername reads "00<CompanyId>/<LoginId>" or a plain login id.
func splitUsername(u string) (company int, login string, ok bool) {
	u = strings.TrimSpace(u)
	before, after, found := strings.Cut(u, "/")
	if !found {
		return 0, u, u != ""
	}
	digits := strings.TrimLeft(before, "0")
	if !strings.HasPrefix(before, "00") || digits == "" {
		return 0, u, false
	}
	id, err := strconv.Atoi(digits)
	if err != nil || id <= 0 {
		return 0, u, false
	}
	return id, after, after != ""
}

func (s *Sim) issueLocked(login string, companyID int) loginAnswer {
	now := s.now()
	access := s.jwt(login, now.Add(AccessTokenLifetime))
	refresh := s.token()
	s.st.Access[access] = &session{User: login, Company: companyID, Expires: now.Add(AccessTokenLifetime)}
	s.st.Refresh[refresh] = &session{User: login, Company: companyID, Expires: now.Add(RefreshTokenLifetime)}
	// Forget expired sessions so that the state stays small.
	for k, v := range s.st.Access {
		if now.After(v.Expires) {
			delete(s.st.Access, k)
		}
	}
	for k, v := range s.st.Refresh {
		if now.After(v.Expires) {
			delete(s.st.Refresh, k)
		}
	}
	return loginAnswer{Token: access, RefreshToken: refresh, RefreshTokenExpiry: now.Add(RefreshTokenLifetime).UTC().Format(time.RFC3339)}
}

func (s *Sim) serveLogin(w http.ResponseWriter, body []byte) {
	var raw map[string]any
	if err := decodeJSON(body, &raw); err != nil {
		http.Error(w, "The request body is not a LoginRequest", http.StatusBadRequest)
		return
	}
	if s.strict {
		for k := range raw {
			if k != "Username" && k != "Password" {
				s.violation(w, "POST /login: LoginRequest has no property %q (additionalProperties is false)", k)
				return
			}
		}
	}
	name, _ := raw["Username"].(string)
	pass, _ := raw["Password"].(string)
	companyID, login, ok := splitUsername(name)
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.st.Users[strings.ToLower(login)]
	if !ok || u == nil || u.Password != pass {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	s.st.Calls[s.dayKey(u.LoginID)]++
	if companyID == 0 && len(u.Companies) > 0 {
		companyID = u.Companies[0]
	}
	if !u.reaches(companyID) || s.st.Companies[companyID] == nil {
		writeJSON(w, "NoCompanyId")
		return
	}
	ans := s.issueLocked(u.LoginID, companyID)
	s.saveLocked()
	writeJSON(w, ans)
}

func (u *user) reaches(id int) bool {
	for _, c := range u.Companies {
		if c == id {
			return true
		}
	}
	return false
}

func (s *Sim) serveRefresh(w http.ResponseWriter, body []byte) {
	var tok string
	if err := decodeJSON(body, &tok); err != nil {
		if s.strict {
			s.violation(w, "POST /refresh: the body must be the refresh token as a JSON string")
			return
		}
		http.Error(w, "The body must be the refresh token", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.st.Refresh[tok]
	if sess == nil || s.now().After(sess.Expires) {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	delete(s.st.Refresh, tok)
	s.st.Calls[s.dayKey(sess.User)]++
	ans := s.issueLocked(sess.User, sess.Company)
	s.saveLocked()
	writeJSON(w, ans)
}

func (s *Sim) serveLogout(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("refreshToken")
	s.mu.Lock()
	defer s.mu.Unlock()
	if sess := s.st.Refresh[tok]; sess != nil {
		for k, v := range s.st.Access {
			if v.User == sess.User {
				delete(s.st.Access, k)
			}
		}
		delete(s.st.Refresh, tok)
		s.saveLocked()
	}
	w.WriteHeader(http.StatusOK)
}

// authorise checks the bearer token and counts the call.
func (s *Sim) authorise(w http.ResponseWriter, r *http.Request) (*session, string, bool) {
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.st.Access[strings.TrimSpace(tok)]
	if !ok || sess == nil || s.now().After(sess.Expires) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		w.WriteHeader(http.StatusUnauthorized)
		return nil, "", false
	}
	s.st.Calls[s.dayKey(sess.User)]++
	if n := s.st.Calls[s.dayKey(sess.User)]; n == FreeCallsPerDay+1 {
		s.log.Warn("unicontasim: the day's free server calls are used up; Uniconta now slows every call by a second", "login", sess.User)
	}
	return sess, sess.User, true
}

func (s *Sim) companyLocked(sess *session) *company { return s.st.Companies[sess.Company] }

func (s *Sim) serveChangeCompany(w http.ResponseWriter, sess *session, arg string) {
	id, err := strconv.Atoi(arg)
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.st.Users[strings.ToLower(sess.User)]
	c := s.st.Companies[id]
	if err != nil || c == nil || u == nil || !u.reaches(id) {
		writeCode(w, "NoCompanyId")
		return
	}
	sess.Company = id
	writeJSON(w, map[string]any{"Id": c.ID, "CompanyName": c.Name, "Currency": c.Currency})
}

// serveLastError answers Company/GetLastError/{CompanyId}&{errorCode}.
func (s *Sim) serveLastError(w http.ResponseWriter, sess *session, arg string) {
	idText, code, _ := strings.Cut(arg, "&")
	id, _ := strconv.Atoi(idText)
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.st.Companies[id]
	if c == nil || id != sess.Company {
		writeCode(w, "NoCompanyId")
		return
	}
	writeJSON(w, c.LastErr[code])
}

// fail records the detail of a business failure for GetLastError and
// answers its code; s.mu is held.
func (s *Sim) failLocked(w http.ResponseWriter, c *company, code, format string, args ...any) {
	c.LastErr[code] = fmt.Sprintf(format, args...)
	writeCode(w, code)
}
