package arn

import "testing"

func TestBuildParse(t *testing.T) {
	s := Build("connect", "us-east-1", "123456789012", "instance/i-1")
	if s != "arn:aws:connect:us-east-1:123456789012:instance/i-1" {
		t.Fatalf("Build: %q", s)
	}
	a, ok := Parse(s)
	if !ok || a != (ARN{Partition: "aws", Service: "connect", Region: "us-east-1", Account: "123456789012", Resource: "instance/i-1"}) {
		t.Fatalf("Parse: %+v %v", a, ok)
	}
	if a.String() != s {
		t.Fatalf("String: %q", a.String())
	}
	// The resource keeps its colons; the default variant has no account.
	a, ok = Parse("arn:aws-cn:servicequotas:cn-north-1::connect/L-1:x")
	if !ok || a.Partition != "aws-cn" || a.Account != "" || a.Resource != "connect/L-1:x" {
		t.Fatalf("%+v %v", a, ok)
	}
	if got := (ARN{Service: "s", Region: "r", Account: "a", Resource: "x"}).String(); got != "arn:aws:s:r:a:x" {
		t.Fatalf("empty partition: %q", got)
	}
	for _, bad := range []string{"", "arn", "arn:aws:connect:us-east-1:123", "ARN:aws:connect:r:a:x", "arn::connect:r:a:x", "arn:aws::r:a:x", "urn:aws:connect:r:a:x"} {
		if a, ok := Parse(bad); ok {
			t.Errorf("Parse(%q) = %+v", bad, a)
		}
	}
}
