package httpapi

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// The enforce answer is the hottest response; it is written by hand rather
// than through encoding/json's reflection, which cost as much as the engine
// itself. TestEnforceEncodingMatchesJSON keeps the two in agreement.

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

func writeEnforce(w http.ResponseWriter, resp *EnforceResponse) {
	bp := bufPool.Get().(*[]byte)
	b := appendEnforceResponse((*bp)[:0], resp)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	w.Write(b)
	if cap(b) <= 64<<10 {
		*bp = b
		bufPool.Put(bp)
	}
}

func appendEnforceResponse(b []byte, resp *EnforceResponse) []byte {
	b = append(b, `{"results":[`...)
	for i := range resp.Results {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendEnforceResult(b, &resp.Results[i])
	}
	return append(b, "]}\n"...)
}

func appendEnforceResult(b []byte, r *EnforceResult) []byte {
	b = append(b, `{"allowed":`...)
	b = strconv.AppendBool(b, r.Allowed)
	if r.Code != "" {
		b = appendField(b, "code", r.Code)
	}
	if r.Scope != "" {
		b = appendField(b, "scope", r.Scope)
	}
	b = append(b, `,"limit":`...)
	b = appendFloat(b, r.Limit)
	if r.Level != "" {
		b = appendField(b, "level", r.Level)
	}
	b = append(b, `,"used":`...)
	b = strconv.AppendInt(b, r.Used, 10)
	b = append(b, `,"remaining":`...)
	b = strconv.AppendInt(b, r.Remaining, 10)
	if r.RetryAfterMS != 0 {
		b = append(b, `,"retry_after_ms":`...)
		b = strconv.AppendInt(b, r.RetryAfterMS, 10)
	}
	if r.Expires != nil {
		b = append(b, `,"expires":"`...)
		b = r.Expires.AppendFormat(b, time.RFC3339Nano)
		b = append(b, '"')
	}
	if r.Replayed {
		b = append(b, `,"replayed":true`...)
	}
	if r.Uncounted {
		b = append(b, `,"uncounted":true`...)
	}
	if e := r.Error; e != nil {
		b = append(b, `,"error":{"code":`...)
		b = appendString(b, e.Code)
		b = appendField(b, "message", e.Message)
		if e.Field != "" {
			b = appendField(b, "field", e.Field)
		}
		if q := e.Quota; q != nil {
			b = append(b, `,"quota":{"code":`...)
			b = appendString(b, q.Code)
			b = appendField(b, "name", q.Name)
			if q.Scope != "" {
				b = appendField(b, "scope", q.Scope)
			}
			b = append(b, `,"limit":`...)
			b = appendFloat(b, q.Limit)
			b = append(b, `,"used":`...)
			b = strconv.AppendInt(b, q.Used, 10)
			b = append(b, `,"requested":`...)
			b = strconv.AppendInt(b, q.Requested, 10)
			if q.RetryAfterMS != 0 {
				b = append(b, `,"retry_after_ms":`...)
				b = strconv.AppendInt(b, q.RetryAfterMS, 10)
			}
			b = append(b, '}')
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

func appendField(b []byte, name, value string) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendString(b, value)
}

// appendFloat writes a number as encoding/json does; values are finite.
func appendFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, '0')
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.AppendInt(b, int64(f), 10) // the common case: whole limits
	}
	abs := math.Abs(f)
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		return strconv.AppendFloat(b, f, 'e', -1, 64)
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string: quotes, backslashes and control
// characters escaped, invalid UTF-8 replaced by U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
