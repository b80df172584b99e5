// A Python language host for the Pulumi CLI, for machines where Pulumi's own
// (github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python) cannot be had: the Go
// module proxy does not serve that module, while it does serve pkg/v3 (the CLI) and
// sdk/v3 (the gRPC protocol and the Python toolchain package used here).
//
// It implements the parts of the LanguageRuntime protocol that `pulumi up`, `preview`,
// `refresh`, `destroy`, `install`, `package get-schema` and `--policy-pack` use: running a
// program through the SDK's own pulumi-language-python-exec script, running a Python
// policy pack (`python -m pulumi.policy`) or a Python resource plugin folder (`python
// <folder>`, a component provider), and installing a virtual environment. Plugins are not
// discovered from installed packages (GetRequiredPackages answers none): the engine
// loads each provider when the program first registers one of its resources.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"

	"social-messaging-destinations/pulumi-cli/hostserve"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
)

// Set at link time to the CLI's release.
var version = "0.0.0"

// The exec script exits with this code after it has shown the user an actionable error.
const exitedAfterShowingMessage = 32

type languageHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engineAddress string
	execScript    string
}

func main() {
	engineAddress := ""
	for _, arg := range os.Args[1:] {
		if !strings.HasPrefix(arg, "-") {
			engineAddress = arg // the positional engine address comes last
		}
	}
	self, err := os.Executable()
	if err != nil {
		hostserve.Fail("pulumi-language-python", err)
	}
	hostserve.Run("pulumi-language-python", &languageHost{
		engineAddress: engineAddress,
		execScript:    filepath.Join(filepath.Dir(self), "pulumi-language-python-exec"),
	})
}

// pythonOptions reads the runtime options of Pulumi.yaml / PulumiPolicy.yaml /
// PulumiPlugin.yaml (`toolchain`, `virtualenv`; the virtualenv is relative to the root
// directory).
func pythonOptions(info *pulumirpc.ProgramInfo) toolchain.PythonOptions {
	opts := toolchain.PythonOptions{
		Root:       info.GetRootDirectory(),
		ProgramDir: info.GetProgramDirectory(),
		Toolchain:  toolchain.Pip,
	}
	if info.GetOptions() == nil {
		return opts
	}
	values := info.GetOptions().AsMap()
	if venv, ok := values["virtualenv"].(string); ok {
		opts.Virtualenv = venv
	}
	switch values["toolchain"] {
	case "poetry":
		opts.Toolchain = toolchain.Poetry
	case "uv":
		opts.Toolchain = toolchain.Uv
	}
	return opts
}

// pluginOptions are pythonOptions for a plugin (policy pack or resource plugin): as
// Pulumi's own host does, a plugin never runs in the ambient Python, so a pip toolchain
// without a `virtualenv` option uses the plugin folder's `venv`.
func pluginOptions(info *pulumirpc.ProgramInfo) toolchain.PythonOptions {
	opts := pythonOptions(info)
	if opts.Toolchain == toolchain.Pip && opts.Virtualenv == "" {
		opts.Virtualenv = "venv"
	}
	return opts
}

// runConfig is the PULUMI_CONFIG and PULUMI_CONFIG_SECRET_KEYS the exec script reads: a
// stack without configuration sends none, and the script needs an object and a list.
func runConfig(req *pulumirpc.RunRequest) (string, string, error) {
	values := req.GetConfig()
	if values == nil {
		values = map[string]string{}
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	config, err := json.Marshal(values)
	if err != nil {
		return "", "", err
	}
	secrets, err := json.Marshal(secretKeys)
	if err != nil {
		return "", "", err
	}
	return string(config), string(secrets), nil
}

func (h *languageHost) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.GetEngineAddress() != "" {
		h.engineAddress = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *languageHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func (h *languageHost) GetRequiredPlugins(
	context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (h *languageHost) GetRequiredPackages(
	context.Context, *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

// Run executes the program with the SDK's exec script, which configures the Python
// runtime from its arguments and the PULUMI_CONFIG environment.
func (h *languageHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	tc, err := toolchain.ResolveToolchain(pythonOptions(req.GetInfo()))
	if err != nil {
		return nil, err
	}
	if err := tc.ValidateVenv(ctx); err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	program := filepath.Join(req.GetInfo().GetProgramDirectory(), req.GetInfo().GetEntryPoint())
	args := []string{
		"-u", h.execScript,
		"--monitor", req.GetMonitorAddress(),
		"--engine", h.engineAddress,
		"--project", req.GetProject(),
		"--stack", req.GetStack(),
		"--pwd", req.GetPwd(),
		"--dry_run", strconv.FormatBool(req.GetDryRun()),
		"--parallel", strconv.Itoa(int(req.GetParallel())),
		"--organization", req.GetOrganization(),
		"--root_directory", req.GetInfo().GetRootDirectory(),
		program,
	}
	args = append(args, req.GetArgs()...)
	cmd, err := tc.Command(ctx, args...)
	if err != nil {
		return nil, err
	}
	config, secretKeys, err := runConfig(req)
	if err != nil {
		return nil, err
	}
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env,
		"PULUMI_CONFIG="+config,
		"PULUMI_CONFIG_SECRET_KEYS="+secretKeys,
	)
	cmd.Dir = req.GetPwd()
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if exitErr.ExitCode() == exitedAfterShowingMessage {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{
				Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exitErr.ExitCode()),
			}, nil
		}
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// streamWriter forwards a child's output to the engine as it is written.
type streamWriter struct {
	mu   *sync.Mutex
	send func([]byte) error
}

func (w streamWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	chunk := append([]byte(nil), p...)
	if err := w.send(chunk); err != nil {
		return 0, err
	}
	return len(p), nil
}

// pluginCommand is how a plugin folder runs: a policy pack as `python -u -m pulumi.policy
// <engine> <pack folder>`, a resource plugin (a component provider) as `python -u <plugin
// folder> <engine>`, which runs its __main__.py.
func pluginCommand(req *pulumirpc.RunPluginRequest) ([]string, error) {
	folder := req.GetInfo().GetProgramDirectory()
	switch req.GetKind() {
	case "analyzer":
		args := append([]string{"-u", "-m", "pulumi.policy"}, req.GetArgs()...)
		return append(args, folder), nil
	case "resource":
		return append([]string{"-u", folder}, req.GetArgs()...), nil
	default:
		return nil, status.Errorf(codes.Unimplemented,
			"this language host runs Python policy packs and resource plugins, not %q plugins", req.GetKind())
	}
}

// RunPlugin starts a Python plugin folder in its virtual environment, its output streamed
// back (the engine reads the port from stdout).
func (h *languageHost) RunPlugin(
	req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer,
) error {
	args, err := pluginCommand(req)
	if err != nil {
		return err
	}
	tc, err := toolchain.ResolveToolchain(pluginOptions(req.GetInfo()))
	if err != nil {
		return err
	}
	if err := tc.ValidateVenv(server.Context()); err != nil {
		return fmt.Errorf("the %s plugin's virtual environment is not ready (run `pulumi install` in %s): %w",
			req.GetKind(), req.GetInfo().GetProgramDirectory(), err)
	}
	cmd, err := tc.Command(server.Context(), args...)
	if err != nil {
		return err
	}
	env := req.GetEnv()
	if venv, err := tc.VirtualEnvPath(server.Context()); err == nil && venv != "" {
		env = toolchain.ActivateVirtualEnv(env, venv)
	}
	cmd.Env = env
	cmd.Dir = req.GetPwd()
	var mu sync.Mutex
	cmd.Stdout = streamWriter{&mu, func(b []byte) error {
		return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}})
	}}
	cmd.Stderr = streamWriter{&mu, func(b []byte) error {
		return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}})
	}}
	code := int32(0)
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			return err
		}
		code = int32(exitErr.ExitCode())
	}
	mu.Lock()
	defer mu.Unlock()
	return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: code}})
}

// InstallDependencies makes the virtual environment and installs requirements.txt, as
// `pulumi install` does for a project, a policy pack or a plugin folder (a plugin's
// virtual environment defaults to its `venv`).
func (h *languageHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	opts := pythonOptions(req.GetInfo())
	if req.GetIsPlugin() {
		opts = pluginOptions(req.GetInfo())
	}
	tc, err := toolchain.ResolveToolchain(opts)
	if err != nil {
		return err
	}
	var mu sync.Mutex
	stdout := streamWriter{&mu, func(b []byte) error {
		return server.Send(&pulumirpc.InstallDependenciesResponse{Stdout: b})
	}}
	stderr := streamWriter{&mu, func(b []byte) error {
		return server.Send(&pulumirpc.InstallDependenciesResponse{Stderr: b})
	}}
	return tc.InstallDependencies(server.Context(), req.GetInfo().GetProgramDirectory(),
		req.GetUseLanguageVersionTools(), true, io.Writer(stdout), io.Writer(stderr))
}

func (h *languageHost) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	tc, err := toolchain.ResolveToolchain(pythonOptions(req.GetInfo()))
	if err != nil {
		return nil, err
	}
	info, err := tc.About(ctx)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{
		Executable: info.PythonExecutable,
		Version:    info.PythonVersion.String(),
	}, nil
}

func (h *languageHost) GetProgramDependencies(
	ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	tc, err := toolchain.ResolveToolchain(pythonOptions(req.GetInfo()))
	if err != nil {
		return nil, err
	}
	packages, err := tc.ListPackages(ctx, req.GetTransitiveDependencies())
	if err != nil {
		return nil, err
	}
	result := make([]*pulumirpc.DependencyInfo, 0, len(packages))
	for _, p := range packages {
		result = append(result, &pulumirpc.DependencyInfo{Name: p.Name, Version: p.Version})
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: result}, nil
}
