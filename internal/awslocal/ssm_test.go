package awslocal_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/newsdigest/newsdigest/internal/awslocal"
)

func TestGetParameter(t *testing.T) {
	ctx := ctxFor(t)
	store, endpoint := awslocal.StartSSM(t)
	client := ssm.NewFromConfig(awslocal.ClientConfig(endpoint))
	before := time.Now().Add(-time.Second)
	store.Put("/newsdigest/unsubscribe-key", "first key", true)
	store.Put("/newsdigest/unsubscribe-key", "s3cr3t-key", true)
	store.Put("/newsdigest/from", "daily@newsdigest.example", false)

	tests := []struct {
		name        string
		param       string
		decrypt     bool
		wantType    ssmtypes.ParameterType
		wantValue   string // "" for a value that must differ from the secret
		wantVersion int64
		wantARN     string
	}{
		{"secure, decrypted", "/newsdigest/unsubscribe-key", true, ssmtypes.ParameterTypeSecureString, "s3cr3t-key", 2, "arn:aws:ssm:eu-west-1:000000000000:parameter/newsdigest/unsubscribe-key"},
		{"secure, not decrypted", "/newsdigest/unsubscribe-key", false, ssmtypes.ParameterTypeSecureString, "", 2, "arn:aws:ssm:eu-west-1:000000000000:parameter/newsdigest/unsubscribe-key"},
		{"plain", "/newsdigest/from", false, ssmtypes.ParameterTypeString, "daily@newsdigest.example", 1, "arn:aws:ssm:eu-west-1:000000000000:parameter/newsdigest/from"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := client.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(tt.param), WithDecryption: aws.Bool(tt.decrypt)})
			if err != nil {
				t.Fatalf("GetParameter: %v", err)
			}
			p := out.Parameter
			if p == nil {
				t.Fatal("no Parameter in the answer")
			}
			value := aws.ToString(p.Value)
			switch {
			case tt.wantValue != "" && value != tt.wantValue:
				t.Errorf("Value = %q, want %q", value, tt.wantValue)
			case tt.wantValue == "" && (value == "" || value == "s3cr3t-key"):
				t.Errorf("Value = %q, want the ciphertext", value)
			}
			if aws.ToString(p.Name) != tt.param || p.Type != tt.wantType || p.Version != tt.wantVersion {
				t.Errorf("Name, Type, Version = %s, %s, %d; want %s, %s, %d", aws.ToString(p.Name), p.Type, p.Version, tt.param, tt.wantType, tt.wantVersion)
			}
			if got := aws.ToString(p.ARN); got != tt.wantARN {
				t.Errorf("ARN = %s, want %s", got, tt.wantARN)
			}
			if got := aws.ToString(p.DataType); got != "text" {
				t.Errorf("DataType = %s, want text", got)
			}
			if p.LastModifiedDate == nil || p.LastModifiedDate.Before(before) || p.LastModifiedDate.After(time.Now()) {
				t.Errorf("LastModifiedDate = %v, want the time of the Put", p.LastModifiedDate)
			}
		})
	}
}

func TestGetParameterNotFound(t *testing.T) {
	ctx := ctxFor(t)
	_, endpoint := awslocal.StartSSM(t)
	client := ssm.NewFromConfig(awslocal.ClientConfig(endpoint))
	_, err := client.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/newsdigest/missing"), WithDecryption: aws.Bool(true)})
	if !errorAs[*ssmtypes.ParameterNotFound](err) {
		t.Fatalf("err = %v (%T), want *types.ParameterNotFound", err, err)
	}
	if got := errorCode(err); got != "ParameterNotFound" {
		t.Errorf("error code = %s, want ParameterNotFound", got)
	}
}
