package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/headroomhq/headroom"
)

func testTemplate(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	if on, err := s.TemplateAssociated(ctx); err != nil || on {
		t.Fatalf("new store: associated = %v, %v", on, err)
	}
	for _, e := range []headroom.TemplateEntry{
		{Service: "connect", Code: "L-9A46857E", Region: "us-west-2", DesiredValue: 900},
		{Service: "connect", Code: "L-9A46857E", Region: "us-east-1", DesiredValue: 700},
		{Service: "connect", Code: "L-12AB7C57", Region: "us-east-1", DesiredValue: 20},
	} {
		if err := s.PutTemplateEntry(ctx, e, headroom.AuditEntry{Time: T0, Action: "template.put", Actor: "op"}); err != nil {
			t.Fatal(err)
		}
	}
	// Replace one entry.
	if err := s.PutTemplateEntry(ctx, headroom.TemplateEntry{Service: "connect", Code: "L-9A46857E", Region: "us-east-1", DesiredValue: 800}, headroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	list, _ := s.ListTemplateEntries(ctx)
	if fmt.Sprint(list) != "[{connect L-12AB7C57 us-east-1 20} {connect L-9A46857E us-east-1 800} {connect L-9A46857E us-west-2 900}]" {
		t.Fatalf("ListTemplateEntries = %v", list)
	}
	if err := s.DeleteTemplateEntry(ctx, "connect", "L-9A46857E", "us-west-2", headroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.DeleteTemplateEntry(ctx, "connect", "L-9A46857E", "us-west-2", headroom.AuditEntry{}), headroom.ENOTFOUND)
	if err := s.SetTemplateAssociated(ctx, true, headroom.AuditEntry{Time: T0, Action: "template.associate", Actor: "op"}); err != nil {
		t.Fatal(err)
	}
	if on, _ := s.TemplateAssociated(ctx); !on {
		t.Fatal("not associated after SetTemplateAssociated(true)")
	}
	s.SetTemplateAssociated(ctx, false, headroom.AuditEntry{})
	if on, _ := s.TemplateAssociated(ctx); on {
		t.Fatal("still associated")
	}
	if audit, _ := s.ListAudit(ctx, headroom.AuditFilter{}); len(audit) != 4 {
		t.Fatalf("audit = %+v", audit)
	}
}

func testTags(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	arn := "arn:aws:servicequotas:us-east-1:111122223333:connect/L-9A46857E"
	if err := s.TagResource(ctx, Account, arn, map[string]string{"team": "a", "env": "prod"}, 0); err != nil {
		t.Fatal(err)
	}
	s.TagResource(ctx, Account, arn, map[string]string{"team": "b"}, 0)
	s.TagResource(ctx, "999988887777", arn, map[string]string{"other": "x"}, 0)
	tags, err := s.ListTags(ctx, Account, arn)
	if err != nil || fmt.Sprint(tags) != "map[env:prod team:b]" {
		t.Fatalf("ListTags = %v, %v", tags, err)
	}
	if err := s.UntagResource(ctx, Account, arn, []string{"env", "absent"}); err != nil {
		t.Fatal(err)
	}
	if tags, _ := s.ListTags(ctx, Account, arn); fmt.Sprint(tags) != "map[team:b]" {
		t.Fatalf("after untag: %v", tags)
	}
	if tags, _ := s.ListTags(ctx, Account, "arn:none"); tags == nil || len(tags) != 0 {
		t.Fatalf("untagged resource: %#v", tags)
	}
}
