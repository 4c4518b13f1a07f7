package awsapi_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas/types"
)

func quotaARN(account, service, code string) string {
	return "arn:aws:servicequotas:" + region + ":" + account + ":" + service + "/" + code
}

func TestTags(t *testing.T) {
	e := newEnv(t)
	c := e.client(acctA)
	arn := quotaARN(acctA, "connect", "L-9A46857E")
	tags := func(kv ...string) []types.Tag {
		var out []types.Tag
		for i := 0; i < len(kv); i += 2 {
			out = append(out, types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
		}
		return out
	}
	list := func(c *servicequotas.Client, arn string) string {
		t.Helper()
		out, err := c.ListTagsForResource(ctx(), &servicequotas.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		var s []string
		for _, tg := range out.Tags {
			s = append(s, *tg.Key+"="+*tg.Value)
		}
		return strings.Join(s, ",")
	}
	if _, err := c.TagResource(ctx(), &servicequotas.TagResourceInput{ResourceARN: aws.String(arn), Tags: tags("team", "support", "env", "prod")}); err != nil {
		t.Fatal(err)
	}
	if got := list(c, arn); got != "env=prod,team=support" {
		t.Fatalf("tags %q", got)
	}
	if _, err := c.TagResource(ctx(), &servicequotas.TagResourceInput{ResourceARN: aws.String(arn), Tags: tags("team", "ops", "empty", "")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx(), &servicequotas.UntagResourceInput{ResourceARN: aws.String(arn), TagKeys: []string{"env", "absent"}}); err != nil {
		t.Fatal(err)
	}
	if got := list(c, arn); got != "empty=,team=ops" {
		t.Fatalf("tags %q", got)
	}
	// Another account neither sees nor changes A's tags.
	b := e.client(acctB)
	_, err := b.ListTagsForResource(ctx(), &servicequotas.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
	wantAs[*types.NoSuchResourceException](t, err)
	_, err = b.TagResource(ctx(), &servicequotas.TagResourceInput{ResourceARN: aws.String(arn), Tags: tags("x", "y")})
	wantAs[*types.NoSuchResourceException](t, err)
	if got := list(b, quotaARN(acctB, "connect", "L-9A46857E")); got != "" {
		t.Fatalf("B's own quota has tags %q", got)
	}

	// At most 50 tags on a resource.
	var many []string
	for i := 0; i < 48; i++ {
		many = append(many, fmt.Sprintf("k%02d", i), "v")
	}
	if _, err := c.TagResource(ctx(), &servicequotas.TagResourceInput{ResourceARN: aws.String(arn), Tags: tags(many...)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.TagResource(ctx(), &servicequotas.TagResourceInput{ResourceARN: aws.String(arn), Tags: tags("one-more", "v")})
	wantAs[*types.TooManyTagsException](t, err)
	// Replacing an existing key is fine at the limit.
	if _, err := c.TagResource(ctx(), &servicequotas.TagResourceInput{ResourceARN: aws.String(arn), Tags: tags("k00", "w")}); err != nil {
		t.Fatal(err)
	}

	// Bad ARNs and tags.
	for _, bad := range []string{"nope", "arn:aws:connect:us-east-1:" + acctA + ":instance/x", "arn:aws:servicequotas:us-east-1:" + acctA + ":connect"} {
		_, err = c.ListTagsForResource(ctx(), &servicequotas.ListTagsForResourceInput{ResourceARN: aws.String(bad)})
		if ie := wantAs[*types.IllegalArgumentException](t, err); !contains(ie.ErrorMessage(), "ResourceARN") {
			t.Fatalf("%s: %q", bad, ie.ErrorMessage())
		}
	}
	for _, missing := range []string{quotaARN(acctA, "connect", "L-00000000"), quotaARN(acctA, "profile", "L-9A46857E"), "arn:aws:servicequotas:eu-west-2:" + acctA + ":connect/L-9A46857E"} {
		_, err = c.ListTagsForResource(ctx(), &servicequotas.ListTagsForResourceInput{ResourceARN: aws.String(missing)})
		wantAs[*types.NoSuchResourceException](t, err)
	}
	for _, tg := range [][]string{{"", "v"}, {strings.Repeat("k", 129), "v"}, {"k", strings.Repeat("v", 257)}, {"bad!key", "v"}, {"aws:reserved", "v"}} {
		_, err = c.TagResource(ctx(), &servicequotas.TagResourceInput{ResourceARN: aws.String(arn), Tags: tags(tg...)})
		if ie := wantAs[*types.IllegalArgumentException](t, err); !contains(ie.ErrorMessage(), "Tags[0]") {
			t.Fatalf("%q: %q", tg, ie.ErrorMessage())
		}
	}
	// 128 characters of key and 256 of value are fine, in any script.
	if _, err := c.TagResource(ctx(), &servicequotas.TagResourceInput{ResourceARN: aws.String(quotaARN(acctA, "profile", "L-6603B252")),
		Tags: tags(strings.Repeat("é", 128), strings.Repeat("値", 256))}); err != nil {
		t.Fatal(err)
	}
}

// Concurrent TagResource calls never leave a quota with more than 50 tags:
// of 60 calls each adding a new key to a quota without tags, 50 succeed
// and 10 are refused with TooManyTagsException.
func TestTagLimitUnderConcurrency(t *testing.T) {
	e := newEnv(t)
	c := e.client(acctA)
	arn := quotaARN(acctA, "connect", "L-9A46857E")
	const calls = 60
	errs := make([]error, calls)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = c.TagResource(ctx(), &servicequotas.TagResourceInput{ResourceARN: aws.String(arn),
				Tags: []types.Tag{{Key: aws.String(fmt.Sprintf("key-%02d", i)), Value: aws.String("v")}}})
		}()
	}
	close(start)
	wg.Wait()
	var ok, tooMany int
	for i, err := range errs {
		var tm *types.TooManyTagsException
		switch {
		case err == nil:
			ok++
		case errors.As(err, &tm):
			tooMany++
		default:
			t.Errorf("call %d: %v", i, err)
		}
	}
	out, err := c.ListTagsForResource(ctx(), &servicequotas.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if ok != 50 || tooMany != 10 || len(out.Tags) != 50 {
		t.Fatalf("%d tagged, %d TooManyTagsException, %d tags on the quota; want 50, 10, 50", ok, tooMany, len(out.Tags))
	}
}
