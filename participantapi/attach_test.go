package participantapi_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func startUpload(name string, size int64, token string) map[string]any {
	return map[string]any{"ContentType": "application/pdf", "AttachmentName": name, "AttachmentSizeInBytes": size, "ClientToken": token}
}

// put uploads body to an upload URL and returns the status and error name.
func put(t *testing.T, url string, body []byte) (int, string) {
	t.Helper()
	r, _ := http.NewRequest("PUT", url, bytes.NewReader(body))
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType")
}

func uploadURL(r reply) string {
	return r.body["UploadMetadata"].(map[string]any)["Url"].(string)
}

// An attachment end to end: started, put to Headroom, completed, in the
// transcript, and served back by GetAttachment's URL.
func TestAttachment(t *testing.T) {
	e := newEnv(t)
	e.account(acctA)
	iid := e.instance(acctA)
	_, ptok := e.chat(acctA, iid)
	ctok := e.connection(ptok)
	data := []byte("%PDF-1.4 a receipt")
	r := ok(t, e.call("/participant/start-attachment-upload", ctok, startUpload("receipt.pdf", int64(len(data)), "u1")))
	id := r.body["AttachmentId"].(string)
	if !strings.HasPrefix(uploadURL(r), e.url+"/participant/") {
		t.Fatalf("upload URL %q is not on this server", uploadURL(r))
	}
	// Not completed before its bytes are put.
	wantErr(t, e.call("/participant/complete-attachment-upload", ctok, map[string]any{"AttachmentIds": []string{id}, "ClientToken": "c1"}), "ConflictException", 409, "not been uploaded")
	if st, _ := put(t, uploadURL(r), data); st != 200 {
		t.Fatalf("PUT = %d", st)
	}
	// Not visible before it is completed.
	wantErr(t, e.call("/participant/attachment", ctok, map[string]any{"AttachmentId": id}), "ResourceNotFoundException", 404)
	ok(t, e.call("/participant/complete-attachment-upload", ctok, map[string]any{"AttachmentIds": []string{id}, "ClientToken": "c1"}))
	g := ok(t, e.call("/participant/attachment", ctok, map[string]any{"AttachmentId": id}))
	if g.body["AttachmentSizeInBytes"] != float64(len(data)) {
		t.Errorf("size = %v", g.body["AttachmentSizeInBytes"])
	}
	resp, err := http.Get(g.body["Url"].(string))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(got, data) {
		t.Fatalf("download = %d %q", resp.StatusCode, got)
	}
	tr := ok(t, e.call("/participant/transcript", ctok, map[string]any{}))
	last := tr.body["Transcript"].([]any)[len(tr.body["Transcript"].([]any))-1].(map[string]any)
	if last["Type"] != "ATTACHMENT" || last["Attachments"].([]any)[0].(map[string]any)["AttachmentId"] != id {
		t.Errorf("transcript's last item = %v", last)
	}
	// The URLs run out.
	e.clk.Advance(6 * time.Minute)
	resp, _ = http.Get(g.body["Url"].(string))
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("expired download = %d", resp.StatusCode)
	}
}

// The file type, 20 MB and 5 attachments per conversation, each to the
// edge and one past; a failed upload holds no slot.
func TestAttachmentLimits(t *testing.T) {
	e := newEnv(t)
	e.account(acctA)
	iid := e.instance(acctA)
	_, ptok := e.chat(acctA, iid)
	ctok := e.connection(ptok)
	start := func(name string, size int64, tok string) reply {
		return e.call("/participant/start-attachment-upload", ctok, startUpload(name, size, tok))
	}
	for _, ext := range []string{"pdf", "jpg", "jpeg", "png", "doc", "docx", "xls", "csv", "wav", "pptx", "ppt", "txt"} {
		ok(t, start("f."+ext, 1, "t-"+ext))
		// The start holds a slot while its upload may still come: let
		// the URL run out, which frees it.
		e.clk.Advance(6 * time.Minute)
	}
	wantErr(t, start("virus.exe", 1, "x1"), "ValidationException", 400, "exe")
	wantErr(t, start("f.pdf", 20<<20+1, "x2"), "ValidationException", 400, "20")
	// A failed upload (more bytes than declared) holds no slot.
	r := ok(t, start("big.pdf", 20<<20, "big"))
	fail := ok(t, start("lie.pdf", 4, "lie"))
	if st, name := put(t, uploadURL(fail), []byte("12345")); st != 400 || name != "ValidationException" {
		t.Fatalf("oversize PUT = %d %s", st, name)
	}
	_ = r
	for i := 0; i < 4; i++ {
		ok(t, start("f.txt", 1, fmt.Sprint("n", i)))
	}
	wantErr(t, start("f.txt", 1, "n5"), "ServiceQuotaExceededException", 402, "5")
	// A retried start with its ClientToken answers the same attachment.
	a, b := start("f.txt", 1, "n0"), start("f.txt", 1, "n0")
	if a.status != 200 || a.body["AttachmentId"] != b.body["AttachmentId"] {
		t.Errorf("replayed ClientToken: %v %v", a.body, b.body)
	}
}
