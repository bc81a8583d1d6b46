import { Annotations, CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { acknowledge } from './nag.js';
import { bucketName } from './naming.js';

export interface ConsoleSiteProps {
  userPool: cognito.IUserPool;
  /** The hosted UI's domain prefix (https://PREFIX.auth.REGION.amazoncognito.com). */
  domainPrefix: string;
  /** The console's static files (`npm run console:build`), or null in tests that synthesize without building. */
  filesDir: string | null;
}

/**
 * The compliance console in AWS (README.md): static files in the console bucket (stateful stack, private)
 * behind CloudFront with origin access control, and sign-in through the Cognito hosted UI (authorization code with
 * PKCE, no client secret in a browser). The console talks only to the HTTP API, whose address it reads from the
 * console-config.json deployed beside the files: `connect` below finishes that file once the API exists.
 */
export class ConsoleSite extends Construct {
  readonly distribution: cloudfront.Distribution;
  readonly client: cognito.UserPoolClient;
  readonly url: string;
  /** The hosted UI's address. */
  readonly hostedUi: string;
  private readonly bucket: s3.IBucket;
  private readonly props: ConsoleSiteProps;

  constructor(scope: Construct, id: string, props: ConsoleSiteProps) {
    super(scope, id);
    this.props = props;
    const stack = Stack.of(this);
    this.bucket = s3.Bucket.fromBucketAttributes(this, 'Bucket', {
      bucketName: bucketName('console', stack.region),
      region: stack.region,
    });

    const hostedUi = `https://${props.domainPrefix}.auth.${stack.region}.amazoncognito.com`;
    this.hostedUi = hostedUi;
    // Committenti PUT their files and call centers GET their releases straight through presigned links (virtual-
    // hosted style): the page may connect to those two buckets, whose CORS rules (stateful stack) let it.
    const uploadsAndDownloads = (['intake', 'release'] as const)
      .map((purpose) => `https://${bucketName(purpose, stack.region)}.s3.${stack.region}.amazonaws.com`)
      .join(' ');
    const headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Filiera console: CSP, no framing, no sniffing, no referrer, HSTS',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          // The API and the hosted UI by region and prefix, not by their exact URLs: those would make the
          // distribution depend on the API, whose CORS origin is the distribution.
          contentSecurityPolicy:
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
            `connect-src 'self' https://*.execute-api.${stack.region}.amazonaws.com ${hostedUi} ${uploadsAndDownloads}; ` +
            "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
      },
    });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Filiera compliance console',
      defaultRootObject: 'index.html',
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
      },
    });
    // The console bucket's policy (stateful stack) lets CloudFront of this account read it: the origin cannot edit
    // the policy of a bucket another stack owns, and does not need to.
    Annotations.of(this.distribution).acknowledgeWarning(
      '@aws-cdk/aws-cloudfront-origins:updateImportedBucketPolicyOac',
      'The console bucket policy in the stateful stack grants CloudFront of this account read access to the console files',
    );
    this.url = `https://${this.distribution.distributionDomainName}`;

    // Here, not with userPool.add*(): those would create both in the stateful stack, which cannot know this
    // distribution's address.
    new cognito.UserPoolDomain(this, 'HostedUiDomain', { userPool: props.userPool, cognitoDomain: { domainPrefix: props.domainPrefix } });
    this.client = new cognito.UserPoolClient(this, 'ConsoleClient', {
      userPool: props.userPool,
      generateSecret: false,
      authFlows: {},
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      oAuth: {
        // Authorization code only (the implicit grant puts tokens in URLs); PKCE is the console's own (web/src/auth).
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [`${this.url}/`],
        logoutUrls: [`${this.url}/`],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      readAttributes: new cognito.ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, fullname: true })
        .withCustomAttributes('tenant', 'callcenter', 'tenants'),
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ fullname: true }),
    });

    acknowledge(
      this.distribution,
      'AwsSolutions-CFR1',
      'No geo restriction: committenti and their compliance staff sign in from wherever they work; every request the ' +
        'console makes goes to the HTTP API, which authenticates it with Cognito, MFA required.',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR2',
      'No WAF on the console distribution: it serves three static files with no data and no form posts to this origin; ' +
        'the HTTP API behind it is throttled per stage and requires a Cognito token on every route.',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR3',
      'No CloudFront access logs: the console is public static code; who read which intake is recorded by the API ' +
        'access logs and the hash-chained audit trail, and the console bucket has S3 server access logs.',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR4',
      'The default *.cloudfront.net certificate cannot set a minimum TLS version; a custom domain with an ACM ' +
        'certificate (TLSv1.2_2021) is the deployer\'s step described in the README.',
    );
  }

  /** Deploys the files and console-config.json: the API's URL, the hosted UI, this client. */
  connect(apiUrl: string): void {
    const stack = Stack.of(this);
    const hostedUi = this.hostedUi;
    const config = {
      apiBaseUrl: apiUrl,
      auth: { kind: 'cognito', domain: hostedUi, clientId: this.client.userPoolClientId, redirectUri: `${this.url}/`, logoutUri: `${this.url}/` },
    };
    const files = this.props.filesDir
      ? s3deploy.Source.asset(this.props.filesDir)
      : s3deploy.Source.data('index.html', '<!doctype html><title>Filiera</title><p>synthesized without the console build</p>');
    const deployment = new s3deploy.BucketDeployment(this, 'Files', {
      sources: [files, s3deploy.Source.jsonData('console-config.json', config)],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      cacheControl: [s3deploy.CacheControl.noCache()],
      prune: true,
      memoryLimit: 256,
    });
    this.acknowledgeDeployment(deployment);
    new CfnOutput(stack, 'ConsoleUrl', { value: `${this.url}/` });
    new CfnOutput(stack, 'HostedUiDomain', { value: hostedUi });
  }

  /**
   * The upload runs in CDK's BucketDeployment function (one per stack, created by CDK): its permissions are CDK's,
   * reviewed here finding by finding. It copies the console files from the CDK asset bucket to the console bucket
   * and invalidates the distribution; it touches no data bucket and no table.
   */
  private acknowledgeDeployment(deployment: s3deploy.BucketDeployment): void {
    const stack = Stack.of(this);
    const fn = stack.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
    const role = deployment.handlerRole;
    const policy = role.node.tryFindChild('DefaultPolicy');
    if (!fn || !policy) throw new Error(`${this.node.path}: CDK's BucketDeployment function or its policy was not found`);
    acknowledge(
      role,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      "CDK's BucketDeployment function writes its own logs with AWSLambdaBasicExecutionRole; it holds no data permission " +
        'beyond copying the console files.',
    );
    const reasons: Record<string, string> = {
      'Action::s3:GetObject*': 'reads the console files (a CDK asset) from the CDK asset bucket: GetObject and its variants, as CDK grants them',
      'Action::s3:GetBucket*': 'reads the location of the CDK asset bucket and of the console bucket, as CDK grants it',
      'Action::s3:List*': 'lists the console bucket to prune files that the new console build no longer has',
      'Action::s3:DeleteObject*': 'prunes console files that the new console build no longer has (console bucket only)',
      'Action::s3:Abort*': 'aborts its own multipart uploads of console files to the console bucket',
      'Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-eu-central-1/*':
        'reads only the CDK asset bucket of this account and region, where cdk deploy put the console files',
      [`Resource::arn:<AWS::Partition>:s3:::filiera-console-<AWS::AccountId>-${stack.region}/*`]:
        'writes only the console bucket: the static files of the console, no personal data',
      'Resource::*': 'calls cloudfront:CreateInvalidation and GetInvalidation after an upload, which CDK grants on every distribution',
    };
    for (const [finding, reason] of Object.entries(reasons)) {
      acknowledge(policy, `AwsSolutions-IAM5[${finding.replace('eu-central-1', stack.region)}]`, `CDK's BucketDeployment function ${reason}.`);
    }
    acknowledge(
      fn,
      'AwsSolutions-L1',
      "CDK's BucketDeployment function runs the Python runtime that this aws-cdk-lib release ships it with; upgrading " +
        'aws-cdk-lib upgrades it.',
    );
  }
}
